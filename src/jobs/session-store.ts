import { randomBytes } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';
import type { Db } from './db.js';
import { secretHasher } from './secret-hash.js';

export interface Session {
  /** The secret the client holds (cookie value): 256 random bits, base64url. */
  id: string;
  createdAt: number;
  expiresAt: number;
}

/** A value now (SQLite) or after a round trip (Redis). */
type Awaitable<T> = T | Promise<T>;

/** Server-side sessions: the cookie holds a random id, the store holds a hash of it and its expiry. */
export interface Sessions {
  createSession(now: number, ttlMs: number): Awaitable<Session>;
  /** Null when unknown or expired. */
  getSession(id: string, now: number): Awaitable<Session | null>;
  deleteSession(id: string): Awaitable<void>;
  /** Returns how many were removed. */
  deleteExpiredSessions(now: number): Awaitable<number>;
}

/** A new session's secret: 256 random bits, base64url. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** Sessions in the SQLite file of one machine. */
export class SessionStore implements Sessions {
  readonly #insert: StatementSync;
  readonly #find: StatementSync;
  readonly #remove: StatementSync;
  readonly #removeExpired: StatementSync;
  readonly #hash: (id: string) => string;

  constructor(db: Db, secret?: string) {
    this.#hash = secretHasher(secret);
    this.#insert = db.prepare('INSERT INTO sessions (id_hash, created_at, expires_at) VALUES (?, ?, ?)');
    this.#find = db.prepare(
      'SELECT created_at, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?',
    );
    this.#remove = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
    this.#removeExpired = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  }

  createSession(now: number, ttlMs: number): Session {
    const id = newSessionId();
    this.#insert.run(this.#hash(id), now, now + ttlMs);
    return { id, createdAt: now, expiresAt: now + ttlMs };
  }

  /** Null when unknown or expired. */
  getSession(id: string, now: number): Session | null {
    const row = this.#find.get(this.#hash(id), now) as { created_at: number; expires_at: number } | undefined;
    return row ? { id, createdAt: row.created_at, expiresAt: row.expires_at } : null;
  }

  deleteSession(id: string): void {
    this.#remove.run(this.#hash(id));
  }

  /** Returns how many were removed. */
  deleteExpiredSessions(now: number): number {
    return Number(this.#removeExpired.run(now).changes);
  }
}

/** Same as `new SessionStore(db, secret)`, for callers that compose with factory functions. */
export function createSessionStore(db: Db, secret?: string): SessionStore {
  return new SessionStore(db, secret);
}
