import type { Redis } from 'ioredis';
import {
  drainPerMs,
  HOUR,
  type ThrottleKeys,
  type ThrottleSnapshot,
  type ThrottleState,
} from './login-throttle.js';

/** A device that signed in stays trusted this long (its cookie lives a year too). */
const TRUSTED_MS = 365 * 24 * HOUR;

/**
 * KEYS: the device's failures, the address's failures (sorted sets of attempts scored by time), the
 * deployment's bucket (a hash), the device's trust mark. ARGV: now, attempt, hour, drain per ms,
 * '1' when the client has a device. Reads what is known and counts the attempt, in one step.
 */
const BEGIN = `
local now = tonumber(ARGV[1])
local function recent(key)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - tonumber(ARGV[3]))
  local times = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, ARGV[3])
  return times
end
local device = {}
if ARGV[5] == '1' then device = recent(KEYS[1]) end
local address = recent(KEYS[2])
local level = tonumber(redis.call('HGET', KEYS[3], 'level') or '0')
local at = tonumber(redis.call('HGET', KEYS[3], 'at') or ARGV[1])
level = math.max(0, level - (now - at) * tonumber(ARGV[4]))
redis.call('HSET', KEYS[3], 'level', string.format('%.17g', level + 1), 'at', ARGV[1])
local trusted = 0
if ARGV[5] == '1' then trusted = redis.call('EXISTS', KEYS[4]) end
return {device, address, string.format('%.17g', level), trusted}`;

/** KEYS: device failures, address failures, bucket. ARGV: attempt. The attempt was no failure after all. */
const WITHDRAW = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local level = tonumber(redis.call('HGET', KEYS[3], 'level') or '0')
redis.call('HSET', KEYS[3], 'level', string.format('%.17g', math.max(0, level - 1)))
return 1`;

/**
 * The login throttle's memory in Redis, so that every API process counts the same guesses: an attacker
 * spreading guesses over processes gets no more than one process would give.
 */
export class RedisThrottleState implements ThrottleState {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'vidvar:') {
    this.#redis = redis;
    this.#prefix = `${prefix}login:`;
  }

  async begin(keys: ThrottleKeys, attempt: string, now: number): Promise<ThrottleSnapshot> {
    const [device, address, bucket, trusted] = (await this.#redis.eval(
      BEGIN,
      4,
      ...this.#keys(keys),
      `${this.#prefix}trusted:${keys.device ?? ''}`,
      String(now),
      attempt,
      String(HOUR),
      String(drainPerMs()),
      keys.device ? '1' : '0',
    )) as [string[], string[], string, number];
    return {
      device: scores(device),
      address: scores(address),
      bucket: Number(bucket),
      trusted: trusted === 1,
    };
  }

  async withdraw(keys: ThrottleKeys, attempt: string): Promise<void> {
    await this.#redis.eval(WITHDRAW, 3, ...this.#keys(keys), attempt);
  }

  async trust(device: string): Promise<void> {
    await this.#redis
      .multi()
      .set(`${this.#prefix}trusted:${device}`, '1', 'PX', TRUSTED_MS)
      .del(`${this.#prefix}failures:${device}`)
      .exec();
  }

  #keys(keys: ThrottleKeys): [string, string, string] {
    const failures = `${this.#prefix}failures:`;
    return [failures + (keys.device ?? 'none'), failures + keys.address, `${this.#prefix}bucket`];
  }
}

/** ZRANGE … WITHSCORES gives member, score, member, score…: the scores are the failure times. */
function scores(pairs: string[]): number[] {
  const times: number[] = [];
  for (let i = 1; i < pairs.length; i += 2) times.push(Number(pairs[i]));
  return times;
}
