import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { ThrottleState } from './http/login-throttle.js';
import { RedisThrottleState } from './http/redis-throttle-state.js';
import { openDatabase } from './jobs/db.js';
import { type IdempotencyKeys, IdempotencyStore } from './jobs/idempotency-store.js';
import { createJobEvents, type JobEvents } from './jobs/job-events.js';
import { PendingWorkCache } from './jobs/pending-work-cache.js';
import { connectRedis } from './jobs/redis-connection.js';
import { RedisIdempotencyKeys } from './jobs/redis-idempotency.js';
import { RedisJobStore } from './jobs/redis-job-store.js';
import { RedisSessions } from './jobs/redis-sessions.js';
import { RedisTokens } from './jobs/redis-tokens.js';
import { RedisWebhooks } from './jobs/redis-webhooks.js';
import { SessionStore, type Sessions } from './jobs/session-store.js';
import { SharedJobEvents } from './jobs/shared-events.js';
import { createSqliteJobStore } from './jobs/sqlite-job-store.js';
import { type ApiTokens, TokenStore } from './jobs/token-store.js';
import type { JobStore, PendingWork } from './jobs/types.js';
import { type WebhookDeliveries, WebhookStore } from './jobs/webhook-store.js';
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
  webhooks: WebhookDeliveries;
  idempotency: IdempotencyKeys;
  events: JobEvents;
  /** The login throttle's memory (undefined: this process's own). */
  throttleState?: ThrottleState;
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
  const onListenerError = (error: unknown) => logger.error({ err: error }, 'a job event listener failed');
  if (!config.REDIS_URL) {
    const db = openDatabase(layout.database);
    const store = createSqliteJobStore(db);
    return {
      kind: 'sqlite',
      store,
      workerStore: store,
      sessions: new SessionStore(db, config.SESSION_SECRET),
      tokens: new TokenStore(db, config.SESSION_SECRET),
      webhooks: new WebhookStore(db),
      idempotency: new IdempotencyStore(db),
      events: createJobEvents(onListenerError),
      pendingWork: () => store.pendingWork(),
      async close() {
        // A second close (shutdown paths may overlap) finds nothing left to do.
        if (!db.isOpen) return;
        store.checkpoint();
        store.close();
      },
    };
  }
  // Nothing of a deployment over Redis is kept in the data folder's SQLite file: it is not even opened.
  const prefix = `${config.REDIS_PREFIX}:`;
  const request = connectRedis(config.REDIS_URL, 'request');
  const background = connectRedis(config.REDIS_URL, 'background');
  const subscriber = connectRedis(config.REDIS_URL, 'background');
  for (const client of [request, background, subscriber]) {
    client.on('error', (error: unknown) => logger.warn({ err: error }, 'Redis connection'));
  }
  // Requests fail at once while Redis is away; at start-up the process waits for it instead. Not
  // events.once: it rejects on the first failed attempt, which ioredis reports as an 'error'.
  if (request.status !== 'ready') {
    logger.info('waiting for Redis');
    await new Promise((ready) => request.once('ready', ready));
  }
  const events = await SharedJobEvents.connect({
    publisher: background,
    subscriber,
    prefix,
    onError: onListenerError,
  });
  const store = new RedisJobStore(request, prefix);
  let closing: Promise<void> | undefined;
  const pending = await PendingWorkCache.watch(store, events, logger);
  return {
    kind: 'redis',
    store,
    workerStore: new RedisJobStore(background, prefix),
    sessions: new RedisSessions(request, config.SESSION_SECRET, prefix),
    tokens: new RedisTokens(request, config.SESSION_SECRET, prefix),
    throttleState: new RedisThrottleState(request, prefix),
    webhooks: new RedisWebhooks(request, prefix),
    idempotency: new RedisIdempotencyKeys(request, prefix),
    events,
    pendingWork: () => pending.current(),
    background,
    close() {
      // Shutdown paths may overlap: a second close waits for the first.
      closing ??= (async () => {
        pending.stop();
        await events.close();
        for (const client of [request, background]) await client.quit();
      })();
      return closing;
    },
  };
}
