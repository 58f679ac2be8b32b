import type { Db } from './db.js';
import { transaction } from './transaction.js';

/**
 * Idempotency keys: the first successful answer to a request, kept 24 h and replayed to every retry
 * that carries the same key from the same credential. A request under way holds its key as pending; a
 * failed one gives it back, so the client may retry with it.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** A pending key older than this belongs to a request that died with its process: it is taken over. */
export const PENDING_STALE_MS = 10 * 60_000;

export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface KeyRef {
  scope: string;
  route: string;
  key: string;
}

export type KeyClaim =
  | { kind: 'new' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

type Row = {
  fingerprint: string;
  state: string;
  status: number;
  headers: string;
  body: string;
  createdAt: number;
};

type Awaitable<T> = T | Promise<T>;

/** Where the keys live: the SQLite file (one machine) or Redis (redis-idempotency.ts, several API processes). */
export interface IdempotencyKeys {
  /** Takes the key for a new request, or says what its first request got. */
  claim(ref: KeyRef, fingerprint: string, now: number): Awaitable<KeyClaim>;
  /** The request succeeded: this is what every retry gets. */
  complete(ref: KeyRef, answer: StoredAnswer): Awaitable<void>;
  /** The request failed: the key is free again. */
  release(ref: KeyRef): Awaitable<void>;
}

export class IdempotencyStore implements IdempotencyKeys {
  readonly #db: Db;
  readonly #q;

  constructor(db: Db) {
    this.#db = db;
    const sql = (text: string) => db.prepare(text);
    this.#q = {
      expire: sql('DELETE FROM idempotency_keys WHERE created_at < ?'),
      find: sql(`SELECT fingerprint, state, status, headers, body, created_at AS createdAt FROM idempotency_keys
        WHERE scope = ? AND route = ? AND key = ?`),
      claim: sql(`INSERT OR REPLACE INTO idempotency_keys (scope, route, key, fingerprint, state, created_at)
        VALUES (?, ?, ?, ?, 'pending', ?)`),
      complete: sql(`UPDATE idempotency_keys SET state = 'done', status = ?, headers = ?, body = ?
        WHERE scope = ? AND route = ? AND key = ? AND state = 'pending'`),
      release: sql(
        `DELETE FROM idempotency_keys WHERE scope = ? AND route = ? AND key = ? AND state = 'pending'`,
      ),
    };
  }

  /** Takes the key for a new request, or says what its first request got. Expired keys go first. */
  claim(ref: KeyRef, fingerprint: string, now: number): KeyClaim {
    return transaction(this.#db, () => {
      this.#q.expire.run(now - IDEMPOTENCY_TTL_MS);
      const row = this.#q.find.get(ref.scope, ref.route, ref.key) as Row | undefined;
      if (row && row.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (row?.state === 'done') {
        const answer = { status: row.status, headers: JSON.parse(row.headers), body: row.body };
        return { kind: 'replay', answer };
      }
      if (row && row.createdAt > now - PENDING_STALE_MS) return { kind: 'in_progress' };
      this.#q.claim.run(ref.scope, ref.route, ref.key, fingerprint, now);
      return { kind: 'new' };
    });
  }

  complete(ref: KeyRef, answer: StoredAnswer): void {
    this.#q.complete.run(
      answer.status,
      JSON.stringify(answer.headers),
      answer.body,
      ref.scope,
      ref.route,
      ref.key,
    );
  }

  release(ref: KeyRef): void {
    this.#q.release.run(ref.scope, ref.route, ref.key);
  }
}
