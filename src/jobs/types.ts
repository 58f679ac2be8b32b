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

/**
 * The job queue and its records. SQLite implements it on one machine; a distributed queue would be
 * a new implementation of this interface, not a rewrite. Every method is synchronous and short:
 * no transaction is ever held across an await.
 */
export interface JobStore {
  // uploads (admitted sources not yet attached to a job)
  addUpload(upload: UploadRecord): void;
  getUpload(id: string): UploadRecord | null;
  deleteUpload(id: string): void;
  listUploads(): UploadRecord[];

  // jobs
  /** Also removes the upload rows whose ids are source ids: the same file now belongs to the job. */
  createJob(job: NewJob): JobDetail;
  getJob(id: string): JobDetail | null;
  /** Newest first; with `search`, only batches whose name or a file name contains it (any case). */
  listJobs(limit?: number, search?: string): JobDetail[];
  deleteJob(id: string): void;
  countByStatus(): Record<JobStatus, number>;
  /** Outputs not yet rendered of unfinished jobs, per source: what the queue has promised to make. */
  pendingWork(): PendingWork[];

  /** Atomically picks the oldest queued job and marks it running; null when none is queued. */
  claimNextJob(now: number): JobDetail | null;
  setJobStatus(id: string, status: JobStatus, now: number, error?: string | null): void;
  setJobProgress(id: string, progress: number, now: number): void;

  setOutputRunning(outputId: string, now: number): void;
  setOutputProgress(outputId: string, progress: number): void;
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
  ): void;
  failOutput(outputId: string, error: string): void;
  /**
   * Outputs that are not done (failed, or never rendered) go back to queued; the job is queued again. Null when the
   * job does not exist; throws a 409 UserError when it is not failed.
   */
  retryJob(id: string, now: number): JobDetail | null;
  /** The job and its unfinished outputs become canceled; finished outputs stay done. */
  cancelJob(id: string, now: number): void;
  /** These outputs go back to queued (after an interrupted render, or a finished file that was lost). */
  requeueOutputs(outputIds: string[]): void;
  markSourceDeleted(sourceId: string): void;
  /** Records the build that renders the job, unless one was recorded already (the first one stays). */
  recordFfmpegBuild(jobId: string, version: string): void;

  /** Start-up: running and interrupted jobs go back to queued, and so do their running outputs. */
  requeueUnfinished(now: number): string[];
  /** Finished jobs (FINISHED_JOB_STATUSES) whose expiresAt has passed: unfinished work never expires. */
  listExpired(now: number): JobRecord[];
  /** Finished jobs (FINISHED_JOB_STATUSES), oldest first, for eviction. */
  listFinishedOldestFirst(): JobRecord[];

  checkpoint(): void;
  close(): void;
}
