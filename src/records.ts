import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase } from './jobs/db.js';
import { IdempotencyStore } from './jobs/idempotency-store.js';
import { createJobEvents, type JobEvents } from './jobs/job-events.js';
import { PendingWorkCache } from './jobs/pending-work-cache.js';
import { connectRedis } from './jobs/redis-connection.js';
import { RedisJobStore } from './jobs/redis-job-store.js';
import { RedisSessions } from './jobs/redis-sessions.js';
import { RedisTokens } from './jobs/redis-tokens.js';
import { SessionStore, type Sessions } from './jobs/session-store.js';
import { SharedJobEvents } from './jobs/shared-events.js';
import { createSqliteJobStore } from './jobs/sqlite-job-store.js';
import { type ApiTokens, TokenStore } from './jobs/token-store.js';
import type { JobStore, PendingWork } from './jobs/types.js';
import { WebhookStore } from './jobs/webhook-store.js';
import type { DataLayout } from './storage/layout.js';

/**
 * Where a deployment keeps its records, chosen by configuration: the SQLite file in the data folder
 * (one machine, the default), or Redis when REDIS_URL is set (API and workers on several machines,
 * each reading the same jobs, sessions and tokens, and hearing each other's job events).
 */
export type Records = SqliteRecords | RedisRecords;

interface CommonRecords {
  /** For requests: fails at once while Redis is away (answered 503). */
  store: JobStore;
  /** For the worker: waits out a short Redis outage rather than lose the record of finished work. */
  workerStore: JobStore;
  sessions: Sessions;
  tokens: ApiTokens;
  /** Kept in this process's SQLite file in both cases: see README, "Running on several machines". */
  webhooks: WebhookStore;
  idempotency: IdempotencyStore;
  events: JobEvents;
  /** What the queue has promised to render (for the storage budget, which answers at once). */
  pendingWork(): PendingWork[];
  close(): Promise<void>;
}

interface SqliteRecords extends CommonRecords {
  kind: 'sqlite';
}

interface RedisRecords extends CommonRecords {
  kind: 'redis';
  events: SharedJobEvents;
  /** The waiting kind of connection, for BullMQ. */
  background: Redis;
}

export async function openRecords(config: Config, layout: DataLayout, logger: Logger): Promise<Records> {
  const db = openDatabase(layout.database);
  const local = { webhooks: new WebhookStore(db), idempotency: new IdempotencyStore(db) };
  const onListenerError = (error: unknown) => logger.error({ err: error }, 'a job event listener failed');
  if (!config.REDIS_URL) {
    const store = createSqliteJobStore(db);
    return {
      kind: 'sqlite',
      store,
      workerStore: store,
      sessions: new SessionStore(db, config.SESSION_SECRET),
      tokens: new TokenStore(db, config.SESSION_SECRET),
      ...local,
      events: createJobEvents(onListenerError),
      pendingWork: () => store.pendingWork(),
      async close() {
        store.checkpoint();
        store.close();
      },
    };
  }
  const request = connectRedis(config.REDIS_URL, 'request');
  const background = connectRedis(config.REDIS_URL, 'background');
  const subscriber = connectRedis(config.REDIS_URL, 'background');
  for (const client of [request, background, subscriber]) {
    client.on('error', (error: unknown) => logger.warn({ err: error }, 'Redis connection'));
  }
  const events = await SharedJobEvents.connect({
    publisher: background,
    subscriber,
    onError: onListenerError,
  });
  const store = new RedisJobStore(request);
  // A request connection queues nothing while it connects (its commands fail at once instead), and the
  // subscribe above only waited for the subscriber: on a busy machine the first read below came before
  // this one was up, and the process died at start. It waits for Redis here, as the subscriber did.
  // (Not events.once: it would reject on the first failed attempt, which ioredis reports as an error.)
  if (request.status !== 'ready') await new Promise((ready) => request.once('ready', ready));
  const pending = await PendingWorkCache.watch(store, events, logger);
  return {
    kind: 'redis',
    store,
    workerStore: new RedisJobStore(background),
    sessions: new RedisSessions(request, config.SESSION_SECRET),
    tokens: new RedisTokens(request, config.SESSION_SECRET),
    ...local,
    events,
    pendingWork: () => pending.current(),
    background,
    async close() {
      pending.stop();
      await events.close();
      for (const client of [request, background]) if (client.status !== 'end') await client.quit();
      db.close();
    },
  };
}
