import type { JobStatus, OutputStatus } from '../job-status.js';
import type {
  Distinctness,
  FormatName,
  Intensity,
  MediaInfo,
  PlacementChoice,
  PlacementRecord,
  VariationPlan,
} from '../media/index.js';

/** Rows of the job store, as the rest of the app sees them (camelCase, parsed JSON). */

export type { JobStatus, OutputStatus } from '../job-status.js';
export type UploadStatus = 'admitted' | 'attached';

/** An admitted source file waiting in uploads/ (from tus or multipart). */
export interface UploadRecord {
  id: string;
  /** Client file name: metadata only, never part of a path. */
  name: string;
  sizeBytes: number;
  media: MediaInfo;
  createdAt: number;
}

export interface SourceRecord {
  id: string;
  jobId: string;
  position: number;
  name: string;
  sizeBytes: number;
  media: MediaInfo;
  /** True once all its outputs exist and the file in uploads/ was deleted. */
  deleted: boolean;
}

export interface OutputRecord {
  id: string;
  jobId: string;
  sourceId: string;
  /** 1-based index among the outputs of its source. */
  index: number;
  status: OutputStatus;
  progress: number;
  plan: VariationPlan;
  error: string | null;
  sizeBytes: number | null;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  /** Distinctness measured after render (see media/verify/distinctness.ts). */
  distinctness: Distinctness | null;
  /** How many times a render of this output was started: proves nothing renders twice. */
  attempts: number;
  /** The placement it is (its variation's other placements share its sourceId and index). */
  format: FormatName;
  /** Fill, platform, measured loudness and platform checks, once rendered with a placement choice. */
  placement: PlacementRecord | null;
}

export interface JobRecord {
  id: string;
  status: JobStatus;
  progress: number;
  count: number;
  intensity: Intensity;
  seed: string;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The FFmpeg build (`ffmpeg -version`) that first rendered it; null before it started. */
  ffmpeg: string | null;
  /** What a person calls the batch; '' for batches from before names. */
  name: string;
  /** Families and effects left out, and "Protect text and logos": the plans and redraws follow them. */
  exclude: string[];
  protectText: boolean;
  /** Placements, fill, platform and loudness asked for; null: the source's shape, levels as they are. */
  placement: PlacementChoice | null;
}

export interface JobDetail extends JobRecord {
  sources: SourceRecord[];
  outputs: OutputRecord[];
}

export interface NewJob {
  id: string;
  count: number;
  intensity: Intensity;
  seed: string;
  /** As in JobRecord; absent: no name, planned with every effect and no protection. */
  name?: string;
  exclude?: string[];
  protectText?: boolean;
  createdAt: number;
  expiresAt: number;
  sources: Array<{ id: string; name: string; sizeBytes: number; media: MediaInfo }>;
  outputs: Array<{ id: string; sourceId: string; index: number; plan: VariationPlan; format?: FormatName }>;
  placement?: PlacementChoice | null;
}

export interface PendingWork {
  media: MediaInfo;
  outputs: number;
}

/** A store answers at once (SQLite, in process) or later (Redis, over the network): callers await both. */
export type Awaitable<T> = T | Promise<T>;

/**
 * The job queue's records. SQLite implements it on one machine, synchronously, with no transaction held
 * across an await; Redis implements it when API and workers run on several machines (redis-job-store.ts).
 */
export interface JobStore {
  // uploads (admitted sources not yet attached to a job)
  addUpload(upload: UploadRecord): Awaitable<void>;
  getUpload(id: string): Awaitable<UploadRecord | null>;
  deleteUpload(id: string): Awaitable<void>;
  listUploads(): Awaitable<UploadRecord[]>;

  // jobs
  /** Also removes the upload rows whose ids are source ids: the same file now belongs to the job. */
  createJob(job: NewJob): Awaitable<JobDetail>;
  getJob(id: string): Awaitable<JobDetail | null>;
  /** Newest first; with `search`, only batches whose name or a file name contains it (any case). */
  listJobs(limit?: number, search?: string): Awaitable<JobDetail[]>;
  deleteJob(id: string): Awaitable<void>;
  countByStatus(): Awaitable<Record<JobStatus, number>>;
  /** Outputs not yet rendered of unfinished jobs, per source: what the queue has promised to make. */
  pendingWork(): Awaitable<PendingWork[]>;

  /** Atomically picks the oldest queued job and marks it running; null when none is queued. */
  claimNextJob(now: number): Awaitable<JobDetail | null>;
  /**
   * The job a queue handed over becomes running: queued, interrupted, or still running after the worker
   * that had it died. Null when it is finished or gone (canceled meanwhile, say).
   */
  startJob(id: string, now: number): Awaitable<JobDetail | null>;
  setJobStatus(id: string, status: JobStatus, now: number, error?: string | null): Awaitable<void>;
  setJobProgress(id: string, progress: number, now: number): Awaitable<void>;

  setOutputRunning(outputId: string, now: number): Awaitable<void>;
  setOutputProgress(outputId: string, progress: number): Awaitable<void>;
  completeOutput(
    outputId: string,
    result: {
      sizeBytes: number;
      durationSec: number;
      width: number;
      height: number;
      distinctness: Distinctness;
      /** The plan delivered, when a redraw replaced the stored one. */
      plan?: VariationPlan;
      placement?: PlacementRecord;
    },
  ): Awaitable<void>;
  failOutput(outputId: string, error: string): Awaitable<void>;
  /**
   * Outputs that are not done (failed, or never rendered) go back to queued; the job is queued again. Null when the
   * job does not exist; throws a 409 UserError when it is not failed.
   */
  retryJob(id: string, now: number): Awaitable<JobDetail | null>;
  /** The job and its unfinished outputs become canceled; finished outputs stay done. */
  cancelJob(id: string, now: number): Awaitable<void>;
  /** These outputs go back to queued (after an interrupted render, or a finished file that was lost). */
  requeueOutputs(outputIds: string[]): Awaitable<void>;
  markSourceDeleted(sourceId: string): Awaitable<void>;
  /** Records the build that renders the job, unless one was recorded already (the first one stays). */
  recordFfmpegBuild(jobId: string, version: string): Awaitable<void>;

  /** Start-up: running and interrupted jobs go back to queued, and so do their running outputs. */
  requeueUnfinished(now: number): Awaitable<string[]>;
  /** Finished jobs (FINISHED_JOB_STATUSES) whose expiresAt has passed: unfinished work never expires. */
  listExpired(now: number): Awaitable<JobRecord[]>;
  /** Finished jobs (FINISHED_JOB_STATUSES), oldest first, for eviction. */
  listFinishedOldestFirst(): Awaitable<JobRecord[]>;

  checkpoint(): Awaitable<void>;
  close(): Awaitable<void>;
}

/** The same store answering at once: what SQLite gives, and what its tests read without awaiting. */
export type SyncJobStore = {
  [K in keyof JobStore]: JobStore[K] extends (...args: infer A) => Awaitable<infer R>
    ? (...args: A) => R
    : never;
};
