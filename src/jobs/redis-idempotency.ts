import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  IDEMPOTENCY_TTL_MS,
  type IdempotencyKeys,
  type KeyClaim,
  type KeyRef,
  PENDING_STALE_MS,
  type StoredAnswer,
} from './idempotency-store.js';

/**
 * KEYS[1]: the key's record. ARGV: fingerprint, now, stale after (ms), kept for (ms). A retry may reach
 * any API process: the check and the claim are one step, so two retries at once cannot both run.
 */
const CLAIM = `
local stored = redis.call('GET', KEYS[1])
if stored then
  local record = cjson.decode(stored)
  -- Past its 24 h by the server's clock (Redis drops it soon anyway), a key is free for a new request.
  if tonumber(record.createdAt) > tonumber(ARGV[2]) - tonumber(ARGV[4]) then
    if record.fingerprint ~= ARGV[1] then return {'mismatch'} end
    if record.state == 'done' then return {'replay', stored} end
    if tonumber(record.createdAt) > tonumber(ARGV[2]) - tonumber(ARGV[3]) then return {'in_progress'} end
  end
end
redis.call('SET', KEYS[1], cjson.encode({fingerprint = ARGV[1], state = 'pending', createdAt = tonumber(ARGV[2])}),
  'PX', ARGV[4])
return {'new'}`;

/** KEYS[1]: the key's record. ARGV[1]: the finished record (JSON), or '' to let go of a pending key. */
const SETTLE = `
local stored = redis.call('GET', KEYS[1])
if not stored or cjson.decode(stored).state ~= 'pending' then return 0 end
if ARGV[1] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') end
return 1`;

/** Idempotency keys in Redis, so that a retry is recognised whichever API process it reaches. */
export class RedisIdempotencyKeys implements IdempotencyKeys {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'vidvar:') {
    this.#redis = redis;
    this.#prefix = `${prefix}idempotency:`;
  }

  async claim(ref: KeyRef, fingerprint: string, now: number): Promise<KeyClaim> {
    const [kind, stored] = (await this.#redis.eval(
      CLAIM,
      1,
      this.#key(ref),
      fingerprint,
      String(now),
      String(PENDING_STALE_MS),
      String(IDEMPOTENCY_TTL_MS),
    )) as [string, string | undefined];
    if (kind === 'replay' && stored)
      return { kind, answer: (JSON.parse(stored) as { answer: StoredAnswer }).answer };
    if (kind === 'mismatch' || kind === 'in_progress') return { kind };
    return { kind: 'new' };
  }

  async complete(ref: KeyRef, answer: StoredAnswer): Promise<void> {
    const claimed = await this.#redis.get(this.#key(ref));
    const { fingerprint = '', createdAt = 0 } = claimed
      ? (JSON.parse(claimed) as { fingerprint: string; createdAt: number })
      : {};
    const record = JSON.stringify({ fingerprint, createdAt, state: 'done', answer });
    await this.#redis.eval(SETTLE, 1, this.#key(ref), record);
  }

  async release(ref: KeyRef): Promise<void> {
    await this.#redis.eval(SETTLE, 1, this.#key(ref), '');
  }

  /** Hashed: the parts are client text of any length; the scope names a credential. */
  #key(ref: KeyRef): string {
    const digest = createHash('sha256')
      .update(JSON.stringify([ref.scope, ref.route, ref.key]))
      .digest('base64url');
    return this.#prefix + digest;
  }
}
