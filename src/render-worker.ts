import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createQueueWorker } from './jobs/queue-worker.js';
import { createWorker, type Worker } from './jobs/worker.js';
import type { EngineOptions } from './media/index.js';
import type { Records } from './records.js';
import type { FileStore } from './storage/file-store.js';
import type { DataLayout } from './storage/layout.js';

/**
 * The worker a process runs: on one machine an in-process loop over the SQLite queue; over Redis a
 * BullMQ taker (WORKER_CONCURRENCY above 0) or only a producer of queued jobs (an API process).
 */
export function createRenderWorker(
  records: Records,
  deps: {
    config: Config;
    layout: DataLayout;
    engine: EngineOptions;
    logger: Logger;
    files: FileStore;
    clock?: () => number;
  },
): Worker {
  const { config, ...common } = deps;
  if (records.kind === 'sqlite') {
    return createWorker({
      ...common,
      store: records.workerStore,
      events: records.events,
      concurrency: config.WORKER_CONCURRENCY,
    });
  }
  return createQueueWorker({
    ...common,
    store: records.workerStore,
    events: records.events,
    connection: records.background,
    concurrency: config.WORKER_CONCURRENCY,
    lockMs: config.WORKER_LOCK_SECONDS * 1000,
    prefix: config.REDIS_PREFIX,
  });
}
