import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import type { ApiApp } from './http/deps.js';
import type { JobEvents } from './jobs/job-events.js';
import { recoverAtStartup } from './jobs/recovery.js';
import type { Sessions } from './jobs/session-store.js';
import type { JobStore } from './jobs/types.js';
import { WebhookDispatcher } from './jobs/webhook-dispatcher.js';
import type { Worker } from './jobs/worker.js';
import type { EngineOptions } from './media/index.js';
import { openRecords } from './records.js';
import { createRenderWorker } from './render-worker.js';
import { storedBytes } from './storage/bucket-sweep.js';
import { createFileStore } from './storage/create-file-store.js';
import { createStorageBudget, type StorageBudget } from './storage/disk-space.js';
import { createFileAudit } from './storage/file-audit.js';
import type { FileStore } from './storage/file-store.js';
import { createJanitor, type Janitor } from './storage/janitor.js';
import { type DataLayout, dataLayout } from './storage/layout.js';
import { estimatePendingBytes } from './storage/storage-estimate.js';
import { holdUnfinishedUploads } from './storage/upload-holds.js';

/**
 * Wires the layers into one server: database, stores, worker, janitor and the HTTP app, after
 * start-up recovery. Nothing listens or runs yet; main.ts (and the tests) decide when.
 */
export interface VidvarServer {
  app: ApiApp;
  layout: DataLayout;
  store: JobStore;
  /** Where finished files rest: the data folder, or the S3 bucket when S3_BUCKET is set. */
  files: FileStore;
  sessions: Sessions;
  events: JobEvents;
  budget: StorageBudget;
  worker: Worker;
  janitor: Janitor;
  /** Sends finished jobs' webhook events; started and stopped with the worker. */
  webhooks: WebhookDispatcher;
  /** Set on SIGTERM: intake answers 503 and health says draining. */
  draining: { value: boolean };
  /** Closes the records (SQLite checkpointed, Redis connections ended), once the worker has stopped. */
  close(): Promise<void>;
}

export interface ServerOptions {
  config: Config;
  engine: EngineOptions;
  logger: Logger;
  password: string;
  webRoot?: string;
  clock?: () => number;
  /** How long the storage budget may reuse its measure of the data folder. */
  budgetCacheMs?: number;
}

export async function composeServer(options: ServerOptions): Promise<VidvarServer> {
  const { config, engine, logger, password } = options;
  const clock = options.clock ?? Date.now;
  const layout = dataLayout(config.DATA_DIR);
  const records = await openRecords(config, layout, logger);
  const { store, sessions, tokens, events } = records;
  const webhookStore = records.webhooks;
  const files = createFileStore(config, layout, createFileAudit(layout, logger));
  const budget = await createStorageBudget({
    layout,
    budgetBytes: config.STORAGE_BUDGET_BYTES,
    ...(options.budgetCacheMs === undefined ? {} : { cacheMs: options.budgetCacheMs }),
    onWalkError: (error) => logger.error({ err: error }, 'measuring the data folder failed'),
    // In S3 mode the budget is the bucket's: its objects, listed in the background.
    ...(files.kind === 's3' ? { measure: () => storedBytes(files), volumeBound: false } : {}),
  });
  // Promised disk, counted until delivered: queued outputs from the store, unfinished uploads from tus.
  budget.addComputedReservation(() => estimatePendingBytes(records.pendingWork(), engine.maxLongSide));
  holdUnfinishedUploads(budget, layout.tus);
  // On one machine, what a crash cut short is this process's to resume. Over Redis other workers may
  // be rendering it right now: BullMQ hands a dead worker's job on instead (queue-worker.ts).
  if (records.kind === 'sqlite') await recoverAtStartup({ store, layout, logger, now: clock(), files });
  const worker = createRenderWorker(records, { config, layout, engine, logger, files, clock });
  if (records.kind === 'redis') {
    // Work whose queue entry ran out of tries (a worker interrupted again and again) waits in the records:
    // queued again here, it is not left behind. The queue ignores a job it holds already.
    for (const job of await store.listJobs()) {
      if (job.status === 'queued' || job.status === 'interrupted') await worker.wake(job.id);
    }
  }
  const janitor = createJanitor({
    store,
    layout,
    files,
    budget,
    sessions,
    logger,
    clock,
    intervalMs: config.JANITOR_INTERVAL_MINUTES * 60_000,
    staleTusMs: config.UPLOAD_EXPIRY_MINUTES * 60_000,
  });
  const webhooks = new WebhookDispatcher({
    store,
    webhooks: webhookStore,
    events,
    secret: config.WEBHOOK_SECRET,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    firstRetryMs: config.WEBHOOK_FIRST_RETRY_SECONDS * 1000,
    clock,
    logger,
  });
  const draining = { value: false };
  const app = await createApp({
    config,
    layout,
    store,
    sessions,
    tokens,
    webhooks: webhookStore,
    idempotency: records.idempotency,
    throttleState: records.throttleState,
    events,
    worker,
    budget,
    files,
    engine,
    logger,
    clock,
    password,
    isDraining: () => draining.value,
    webRoot: options.webRoot,
    uploadIdleMs: config.UPLOAD_IDLE_SECONDS * 1000,
  });
  const close = () => records.close();
  return { app, layout, store, files, sessions, events, budget, worker, janitor, webhooks, draining, close };
}
