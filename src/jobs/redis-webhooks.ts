import type { Redis } from 'ioredis';
import type {
  DeliveryState,
  JobWebhook,
  NewDelivery,
  WebhookAttempt,
  WebhookDeliveries,
  WebhookDelivery,
} from './webhook-store.js';

/** Webhooks and delivered events are kept this long; a job lives 24 h by default. */
const KEEP_MS = 7 * 24 * 3600_000;

/** KEYS[1]: the due deliveries (scored by next attempt). ARGV: now, lease, key prefix. Takes the first. */
const TAKE_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #due == 0 then return false end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), due[1])
return due[1]`;

/**
 * Webhooks in Redis, so that every API process shows a job's deliveries and any of them can send a
 * due one: a process takes it for a lease, and a process that dies mid-send leaves it to the next.
 */
export class RedisWebhooks implements WebhookDeliveries {
  readonly #redis: Redis;
  readonly #k: (name: string) => string;

  constructor(redis: Redis, prefix = 'vidvar:') {
    this.#redis = redis;
    this.#k = (name) => `${prefix}webhook:${name}`;
  }

  async setWebhook(jobId: string, webhook: JobWebhook): Promise<void> {
    await this.#redis
      .multi()
      .set(this.#k(`job:${jobId}`), JSON.stringify(webhook), 'PX', KEEP_MS)
      .sadd(this.#k('jobs'), jobId)
      .exec();
  }

  async getWebhook(jobId: string): Promise<JobWebhook | null> {
    const stored = await this.#redis.get(this.#k(`job:${jobId}`));
    return stored === null ? null : (JSON.parse(stored) as JobWebhook);
  }

  async webhookJobIds(): Promise<string[]> {
    return this.#redis.smembers(this.#k('jobs'));
  }

  async addDelivery(d: NewDelivery): Promise<boolean> {
    const first = await this.#redis.set(this.#k(`event:${d.jobId}:${d.eventKey}`), d.id, 'PX', KEEP_MS, 'NX');
    if (first !== 'OK') return false;
    const delivery = { ...d, state: 'pending', nextAttemptAt: d.createdAt };
    await this.#redis
      .multi()
      .set(this.#k(`delivery:${d.id}`), JSON.stringify(delivery), 'PX', KEEP_MS)
      .rpush(this.#k(`deliveries:${d.jobId}`), d.id)
      .pexpire(this.#k(`deliveries:${d.jobId}`), KEEP_MS)
      .zadd(this.#k('due'), d.createdAt, d.id)
      .exec();
    return true;
  }

  async deliveriesOf(jobId: string): Promise<WebhookDelivery[]> {
    const ids = await this.#redis.lrange(this.#k(`deliveries:${jobId}`), 0, -1);
    const found = await Promise.all(ids.map((id) => this.#get(id)));
    return found.filter((d): d is WebhookDelivery => d !== null);
  }

  async takeDue(now: number, leaseMs: number): Promise<WebhookDelivery | null> {
    const id = (await this.#redis.eval(TAKE_DUE, 1, this.#k('due'), String(now), String(leaseMs))) as
      | string
      | null;
    if (!id) return null;
    const delivery = await this.#get(id);
    // Its record expired (a week old): nothing to send any more.
    if (!delivery) await this.#redis.zrem(this.#k('due'), id);
    return delivery;
  }

  async nextDueAt(): Promise<number | null> {
    const [, score] = await this.#redis.zrange(this.#k('due'), 0, 0, 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  async recordAttempt(
    id: string,
    attempt: WebhookAttempt,
    state: DeliveryState,
    nextAttemptAt: number | null,
  ): Promise<void> {
    const stored = await this.#redis.get(this.#k(`delivery:${id}`));
    if (stored === null) return;
    const delivery = { ...(JSON.parse(stored) as object), state, nextAttemptAt };
    const tx = this.#redis
      .multi()
      .set(this.#k(`delivery:${id}`), JSON.stringify(delivery), 'KEEPTTL')
      .rpush(this.#k(`attempts:${id}`), JSON.stringify(attempt))
      .pexpire(this.#k(`attempts:${id}`), KEEP_MS);
    if (state === 'pending' && nextAttemptAt !== null) tx.zadd(this.#k('due'), nextAttemptAt, id);
    else tx.zrem(this.#k('due'), id);
    await tx.exec();
  }

  /** Redis expires finished deliveries by itself. */
  purgeFinished(): number {
    return 0;
  }

  async #get(id: string): Promise<WebhookDelivery | null> {
    const [stored, attempts] = await Promise.all([
      this.#redis.get(this.#k(`delivery:${id}`)),
      this.#redis.lrange(this.#k(`attempts:${id}`), 0, -1),
    ]);
    if (stored === null) return null;
    const delivery = JSON.parse(stored) as Omit<WebhookDelivery, 'attempts'>;
    return { ...delivery, attempts: attempts.map((a) => JSON.parse(a) as WebhookAttempt) };
  }
}
