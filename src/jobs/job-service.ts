import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { defaultBatchName } from '../batch-name.js';
import { UserError } from '../errors.js';
import { isFinishedJob } from '../job-status.js';
import {
  type EngineOptions,
  exclusionProblem,
  type FormatName,
  type Intensity,
  normaliseExclusions,
  type PlacementChoice,
  planJob,
} from '../media/index.js';
import type { StorageBudget } from '../storage/disk-space.js';
import type { FileAudit } from '../storage/file-audit.js';
import type { FileStore } from '../storage/file-store.js';
import { type DataLayout, jobOutputDir, sourcePath } from '../storage/layout.js';
import { estimateJobBytes, estimateOutputBytes } from '../storage/storage-estimate.js';
import { removeJobObjects } from './resting-files.js';
import type { JobDetail, JobStore, NewJob, UploadRecord } from './types.js';
import type { JobWebhook, WebhookDeliveries } from './webhook-store.js';

/**
 * What the API does to jobs: create one from admitted uploads (every variation planned from the
 * seed now, disk needed checked up front), cancel one (FFmpeg stopped, files and rows removed) and
 * retry the outputs of a failed one.
 */
export interface JobServiceDeps {
  store: JobStore;
  webhooks: WebhookDeliveries;
  layout: DataLayout;
  budget: StorageBudget;
  /** wake: a job was created or retried (with BullMQ it is queued there, so it may fail while Redis is down). */
  worker: { wake(jobId: string): Promise<void> | void; cancelJob(jobId: string): Promise<void> | void };
  events: { publish(jobId: string): void };
  audit: FileAudit;
  /** Where files rest; in S3 mode a deleted job's objects leave the bucket too. */
  files?: FileStore;
  engine: EngineOptions;
  now: () => number;
  jobTtlMs: number;
  /** Outputs waiting in the queue, across all jobs, that a new batch may not push past. */
  maxQueuedOutputs: number;
  logger: Logger;
}

export interface CreateJobRequest {
  uploadIds: string[];
  count: number;
  intensity: Intensity;
  seed?: string;
  /** Checked by the schema (length, no control characters); the first file's name and the day when absent. */
  name?: string;
  /** Families and effects to leave out: unknown names are refused here, for every way in. */
  exclude?: string[];
  /** Protect text and logos; on when absent. */
  protectText?: boolean;
  /** Where the job reports its end; checked by the caller (scheme, address, secret configured). */
  webhook?: JobWebhook;
  /** Placements, fill, platform and loudness (absent: the source's shape, levels as they are). */
  placement?: PlacementChoice;
}

export interface JobService {
  create(request: CreateJobRequest): Promise<JobDetail>;
  /** Stops rendering and keeps what finished (the job ends canceled); null when there is no such job. */
  stop(jobId: string): Promise<JobDetail | null>;
  /** Stops rendering, then deletes the job and every file of it; false when there is no such job. */
  cancel(jobId: string): Promise<boolean>;
  /** Null when there is no such job; a 409 UserError when it did not fail. */
  retry(jobId: string): Promise<JobDetail | null>;
}

/** Says how full the server is, counting what running batches and uploads have been promised. */
export function storageFullError(budget: StorageBudget): UserError {
  const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
  const taken = budget.usedBytes() + budget.reservedBytes();
  return new UserError(
    'storage_full',
    `The server is full right now: ${gb(taken)} of its ${gb(budget.budgetBytes)} are in use or promised to ` +
      'batches and uploads in progress. Try again later, or delete finished batches.',
    507,
    { retryAfterS: 300 },
  );
}

/** The queue holds at most so many variations waiting to render, whatever the disk says. */
function queueFullError(waiting: number, max: number): UserError {
  return new UserError(
    'queue_full',
    `${waiting} variations are already waiting to render and this server queues at most ${max}. ` +
      'Try again when some batches have finished, or ask for fewer variations.',
    429,
    { retryAfterS: 60 },
  );
}

/** 144 random bits, URL-safe, accepted by the layout's id check. */
export function newId(): string {
  return randomBytes(18).toString('base64url');
}

export function createJobService(deps: JobServiceDeps): JobService {
  const { store, layout, audit, logger } = deps;

  async function loadUploads(ids: string[]): Promise<UploadRecord[]> {
    if (new Set(ids).size !== ids.length) {
      throw new UserError('duplicate_upload', 'The same file was added twice to this batch.', 400);
    }
    const uploads: UploadRecord[] = [];
    for (const id of ids) {
      const upload = await store.getUpload(id);
      if (!upload) {
        throw new UserError(
          'upload_not_found',
          'One of the files is no longer on the server (it was used or expired); upload it again.',
          404,
        );
      }
      uploads.push(upload);
    }
    return uploads;
  }

  /** Nothing more of the job renders once this resolves; what finished stays done. */
  async function stopRendering(job: JobDetail): Promise<void> {
    // Canceled first, so the worker starts nothing more of it while its FFmpeg is being stopped.
    if (!isFinishedJob(job.status)) {
      await store.cancelJob(job.id, deps.now());
      deps.events.publish(job.id);
    }
    await deps.worker.cancelJob(job.id);
  }

  return {
    async create(request) {
      const problem = exclusionProblem(request.exclude ?? []);
      if (problem) throw new UserError('invalid_request', `exclude: ${problem}.`, 400);
      const exclude = normaliseExclusions(request.exclude ?? []);
      const protectText = request.protectText ?? true;
      const uploads = await loadUploads(request.uploadIds);
      const medias = uploads.map((upload) => upload.media);
      const waiting = (await store.pendingWork()).reduce((sum, work) => sum + work.outputs, 0);
      // Each placement of a variation is its own output: its own file, its own row.
      const formats: FormatName[] = request.placement?.placements.formats ?? ['source'];
      const perSource = request.count * formats.length;
      if (waiting + medias.length * perSource > deps.maxQueuedOutputs) {
        throw queueFullError(waiting, deps.maxQueuedOutputs);
      }
      const needed = estimateJobBytes(medias, perSource, deps.engine.maxLongSide);
      if (!deps.budget.canFit(needed)) throw storageFullError(deps.budget);
      const seed = request.seed ?? randomBytes(5).toString('hex');
      const plans = planJob({
        seed,
        intensity: request.intensity,
        count: request.count,
        sources: medias,
        preset: deps.engine.preset,
        exclude,
        protectText,
      });
      const now = deps.now();
      const job: NewJob = {
        id: newId(),
        count: request.count,
        intensity: request.intensity,
        seed,
        name: request.name ?? defaultBatchName(uploads[0]?.name ?? '', new Date(now)),
        exclude,
        protectText,
        createdAt: now,
        expiresAt: now + deps.jobTtlMs,
        sources: uploads.map(({ id, name, sizeBytes, media }) => ({ id, name, sizeBytes, media })),
        outputs: uploads.flatMap((upload, i) =>
          (plans[i] ?? []).flatMap((plan) =>
            formats.map((format) => ({ id: newId(), sourceId: upload.id, index: plan.index, plan, format })),
          ),
        ),
        placement: request.placement ?? null,
      };
      const detail = await store.createJob(job);
      // Before the worker is woken, so the job cannot end without its webhook known.
      if (request.webhook) await deps.webhooks.setWebhook(job.id, request.webhook);
      logger.info(
        { jobId: job.id, sources: job.sources.length, outputs: job.outputs.length, neededBytes: needed },
        'job created',
      );
      deps.events.publish(job.id);
      await deps.worker.wake(job.id);
      return detail;
    },

    async stop(jobId) {
      const job = await store.getJob(jobId);
      if (!job) return null;
      await stopRendering(job);
      logger.info({ jobId }, 'job stopped');
      return await store.getJob(jobId);
    },

    async cancel(jobId) {
      const job = await store.getJob(jobId);
      if (!job) return false;
      await stopRendering(job);
      audit.removeTree(jobOutputDir(layout, jobId), jobId);
      for (const source of job.sources) {
        if (!source.deleted) audit.remove(sourcePath(layout, source.id), jobId);
      }
      await store.deleteJob(jobId);
      await removeJobObjects(deps.files, layout, job, logger);
      deps.budget.invalidate();
      logger.info({ jobId }, 'job canceled and deleted');
      deps.events.publish(jobId);
      return true;
    },

    async retry(jobId) {
      const job = await store.getJob(jobId);
      if (!job) return null;
      const media = new Map(job.sources.map((source) => [source.id, source.media]));
      const needed = job.outputs
        .filter((output) => output.status !== 'done')
        .reduce((sum, output) => {
          const source = media.get(output.sourceId);
          return sum + (source ? estimateOutputBytes(source, deps.engine.maxLongSide) : 0);
        }, 0);
      if (job.status === 'failed' && !deps.budget.canFit(needed)) throw storageFullError(deps.budget);
      const retried = await store.retryJob(jobId, deps.now());
      logger.info({ jobId }, 'job retried');
      deps.events.publish(jobId);
      await deps.worker.wake(jobId);
      return retried;
    },
  };
}
