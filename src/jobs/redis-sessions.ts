import type { Redis } from 'ioredis';
import { secretHasher } from './secret-hash.js';
import { newSessionId, type Session, type Sessions } from './session-store.js';

/**
 * Sessions in Redis, so that a browser signed in through one API process is signed in on all of them.
 * Only a hash of the id is stored (as in SQLite), and Redis expires each one by itself.
 */
export class RedisSessions implements Sessions {
  readonly #redis: Redis;
  readonly #hash: (id: string) => string;
  readonly #prefix: string;

  constructor(redis: Redis, secret?: string, prefix = 'vidvar:') {
    this.#redis = redis;
    this.#hash = secretHasher(secret);
    this.#prefix = `${prefix}session:`;
  }

  async createSession(now: number, ttlMs: number): Promise<Session> {
    const id = newSessionId();
    const session = { createdAt: now, expiresAt: now + ttlMs };
    await this.#redis.set(this.#key(id), JSON.stringify(session), 'PX', ttlMs);
    return { id, ...session };
  }

  async getSession(id: string, now: number): Promise<Session | null> {
    const stored = await this.#redis.get(this.#key(id));
    if (stored === null) return null;
    const { createdAt, expiresAt } = JSON.parse(stored) as Omit<Session, 'id'>;
    return expiresAt > now ? { id, createdAt, expiresAt } : null;
  }

  async deleteSession(id: string): Promise<void> {
    await this.#redis.del(this.#key(id));
  }

  /** Redis drops each session when its time is up: nothing is left for the janitor. */
  deleteExpiredSessions(): number {
    return 0;
  }

  #key(id: string): string {
    return this.#prefix + this.#hash(id);
  }
}
