import type { Redis } from 'ioredis';
import { secretHasher } from './secret-hash.js';
import {
  type ApiToken,
  type ApiTokens,
  LAST_USED_RESOLUTION_MS,
  looksLikeApiToken,
  type NewApiToken,
  newApiToken,
} from './token-store.js';

/**
 * API tokens in Redis, valid on every API process. As in SQLite only the token's hash is kept: it
 * names the token's id, and the tokens themselves live in one hash by id (few, listed whole).
 */
export class RedisTokens implements ApiTokens {
  readonly #redis: Redis;
  readonly #hash: (token: string) => string;
  readonly #byHash: string;
  readonly #tokens: string;

  constructor(redis: Redis, secret?: string, prefix = 'vidvar:') {
    this.#redis = redis;
    this.#hash = secretHasher(secret);
    this.#byHash = `${prefix}token-hash:`;
    this.#tokens = `${prefix}tokens`;
  }

  async create(name: string, now: number): Promise<NewApiToken> {
    const { id, token } = newApiToken();
    const record: ApiToken = { id, name, createdAt: now, lastUsedAt: null, revokedAt: null };
    await this.#redis
      .multi()
      .hset(this.#tokens, id, JSON.stringify(record))
      .set(this.#byHash + this.#hash(token), id)
      .exec();
    return { ...record, token };
  }

  async use(token: string, now: number): Promise<ApiToken | null> {
    if (!looksLikeApiToken(token)) return null;
    const id = await this.#redis.get(this.#byHash + this.#hash(token));
    const record = id ? await this.#get(id) : null;
    if (!record || record.revokedAt !== null) return null;
    if (record.lastUsedAt === null || now - record.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
      record.lastUsedAt = now;
      await this.#redis.hset(this.#tokens, record.id, JSON.stringify(record));
    }
    return record;
  }

  async list(): Promise<ApiToken[]> {
    const all = Object.values(await this.#redis.hgetall(this.#tokens)).map((v) => JSON.parse(v) as ApiToken);
    return all.sort((a, b) => b.createdAt - a.createdAt);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    const record = await this.#get(id);
    if (!record || record.revokedAt !== null) return false;
    await this.#redis.hset(this.#tokens, id, JSON.stringify({ ...record, revokedAt: now }));
    return true;
  }

  async #get(id: string): Promise<ApiToken | null> {
    const stored = await this.#redis.hget(this.#tokens, id);
    return stored === null ? null : (JSON.parse(stored) as ApiToken);
  }
}
