import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { IdempotencyKeys } from '../jobs/idempotency-store.js';
import type { JobEvents } from '../jobs/job-events.js';
import type { Sessions } from '../jobs/session-store.js';
import type { ApiTokens } from '../jobs/token-store.js';
import type { JobStore } from '../jobs/types.js';
import type { WebhookDeliveries } from '../jobs/webhook-store.js';
import type { EngineOptions } from '../media/index.js';
import type { StorageBudget } from '../storage/disk-space.js';
import type { FileStore } from '../storage/file-store.js';
import type { DataLayout } from '../storage/layout.js';
import type { ThrottleState } from './login-throttle.js';

/**
 * What the HTTP layer needs from the layers below, as narrow interfaces: main.ts passes the real
 * SQLite-backed objects, nothing is imported as a singleton.
 */
export interface JobWorker {
  wake(jobId?: string): Promise<void> | void;
  /** Stops the job's FFmpeg runs; resolves once nothing of it runs any more. */
  cancelJob(jobId: string): Promise<void> | void;
  activeJobIds(): string[];
}

export interface AppDeps {
  config: Config;
  layout: DataLayout;
  store: JobStore;
  sessions: Sessions;
  tokens: ApiTokens;
  webhooks: WebhookDeliveries;
  idempotency: IdempotencyKeys;
  events: JobEvents;
  worker: JobWorker;
  budget: StorageBudget;
  /** Where finished files rest; the data folder itself when not given. */
  files?: FileStore;
  engine: EngineOptions;
  logger: Logger;
  clock?: () => number;
  password: string;
  isDraining: () => boolean;
  /** What the login throttle remembers: this process's memory by default, Redis for several API processes. */
  throttleState?: ThrottleState;
  /** A request body that sends nothing for this long is cut off (default 60 s). */
  uploadIdleMs?: number;
  /** Built web client; served at / when the folder exists. */
  webRoot?: string;
}

export type ApiApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export type { JobEvents, Sessions, StorageBudget };
