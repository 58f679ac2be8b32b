import { randomBytes } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';
import type { Db } from './db.js';
import { secretHasher } from './secret-hash.js';

/**
 * API tokens for scripts and pipelines: named, shown once, stored as hashes like sessions, revocable.
 * A token is `vv_` and 256 random bits; the prefix lets secret scanners and people recognise one.
 */
export interface ApiToken {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface NewApiToken extends ApiToken {
  /** The secret itself: returned once, never stored. */
  token: string;
}

/** A value now (SQLite) or after a round trip (Redis). */
type Awaitable<T> = T | Promise<T>;

export interface ApiTokens {
  create(name: string, now: number): Awaitable<NewApiToken>;
  /** The live token this secret names, its use recorded; null when unknown or revoked. */
  use(token: string, now: number): Awaitable<ApiToken | null>;
  /** Newest first. */
  list(): Awaitable<ApiToken[]>;
  /** False when there is no such live token. */
  revoke(id: string, now: number): Awaitable<boolean>;
}

const PREFIX = 'vv_';
/** Using a token writes its last-used time at most this often, not on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** A new token: its id, and its secret (`vv_` and 256 random bits). */
export function newApiToken(): { id: string; token: string } {
  return {
    id: randomBytes(12).toString('base64url'),
    token: `${PREFIX}${randomBytes(32).toString('base64url')}`,
  };
}

/** Anything else is not one of ours, and is refused without a lookup. */
export function looksLikeApiToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

interface Row {
  id: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const toToken = (row: Row): ApiToken => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

/** API tokens in the SQLite file of one machine. */
export class TokenStore implements ApiTokens {
  readonly #insert: StatementSync;
  readonly #byHash: StatementSync;
  readonly #list: StatementSync;
  readonly #revoke: StatementSync;
  readonly #touch: StatementSync;
  readonly #hash: (token: string) => string;

  constructor(db: Db, secret?: string) {
    this.#hash = secretHasher(secret);
    this.#insert = db.prepare(
      'INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#byHash = db.prepare(
      'SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE token_hash = ?',
    );
    this.#list = db.prepare(
      'SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY created_at DESC, rowid DESC',
    );
    this.#revoke = db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.#touch = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  }

  create(name: string, now: number): NewApiToken {
    const { id, token } = newApiToken();
    this.#insert.run(id, name, this.#hash(token), now);
    return { id, name, createdAt: now, lastUsedAt: null, revokedAt: null, token };
  }

  /** The live token this secret names, its use recorded; null when unknown or revoked. */
  use(token: string, now: number): ApiToken | null {
    if (!looksLikeApiToken(token)) return null;
    const row = this.#byHash.get(this.#hash(token)) as Row | undefined;
    if (!row || row.revoked_at !== null) return null;
    if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
      this.#touch.run(now, row.id);
      row.last_used_at = now;
    }
    return toToken(row);
  }

  list(): ApiToken[] {
    return (this.#list.all() as unknown as Row[]).map(toToken);
  }

  /** False when there is no such live token. */
  revoke(id: string, now: number): boolean {
    return Number(this.#revoke.run(now, id).changes) > 0;
  }
}
