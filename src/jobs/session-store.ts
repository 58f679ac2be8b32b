import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.js';

export interface Session {
  /** The secret the client holds (cookie value): 256 random bits, base64url. */
  id: string;
  createdAt: number;
  expiresAt: number;
}

export interface SessionStore {
  createSession(now: number, ttlMs: number): Session;
  /** Null when unknown or expired. */
  getSession(id: string, now: number): Session | null;
  deleteSession(id: string): void;
  /** Returns how many were removed. */
  deleteExpiredSessions(now: number): number;
}

// Only a hash of the id is stored, so a copy of the database does not hand out live sessions.
function hashId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export function createSessionStore(db: Db): SessionStore {
  const insert = db.prepare('INSERT INTO sessions (id_hash, created_at, expires_at) VALUES (?, ?, ?)');
  const find = db.prepare('SELECT created_at, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?');
  const remove = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
  const removeExpired = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');

  return {
    createSession(now, ttlMs) {
      const id = randomBytes(32).toString('base64url');
      insert.run(hashId(id), now, now + ttlMs);
      return { id, createdAt: now, expiresAt: now + ttlMs };
    },
    getSession(id, now) {
      const row = find.get(hashId(id), now) as { created_at: number; expires_at: number } | undefined;
      return row ? { id, createdAt: row.created_at, expiresAt: row.expires_at } : null;
    },
    deleteSession(id) {
      remove.run(hashId(id));
    },
    deleteExpiredSessions(now) {
      return removeExpired.run(now).changes;
    },
  };
}
