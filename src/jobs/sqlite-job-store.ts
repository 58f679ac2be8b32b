import { UserError } from '../errors.js';
import { zeroCountsByStatus } from '../job-status.js';
import type { Db } from './db.js';
import { type Row, toJob, toOutput, toSource, toUpload } from './sqlite-rows.js';
import { type JobStatements, prepareStatements } from './sqlite-statements.js';
import { transaction } from './transaction.js';
import type {
  JobDetail,
  JobRecord,
  JobStatus,
  JobStore,
  NewJob,
  PendingWork,
  SyncJobStore,
  UploadRecord,
} from './types.js';

/**
 * The job store on one SQLite connection. Statements are prepared once; every method is one short
 * synchronous statement or transaction, so no lock is ever held while FFmpeg or the network runs.
 */
export class SqliteJobStore implements SyncJobStore {
  readonly #db: Db;
  readonly #q: JobStatements;

  constructor(db: Db) {
    this.#db = db;
    this.#q = prepareStatements(db);
  }

  addUpload(upload: UploadRecord): void {
    this.#q.insertUpload.run({ ...upload, media: JSON.stringify(upload.media) });
  }

  getUpload(id: string): UploadRecord | null {
    const row = this.#q.getUpload.get(id) as Row | undefined;
    return row ? toUpload(row) : null;
  }

  deleteUpload(id: string): void {
    this.#q.deleteUpload.run(id);
  }

  listUploads(): UploadRecord[] {
    return (this.#q.listUploads.all() as Row[]).map(toUpload);
  }

  pendingWork(): PendingWork[] {
    return (this.#q.pendingWork.all() as Row[]).map((r) => ({
      media: JSON.parse(r.media as string),
      outputs: r.outputs as number,
    }));
  }

  createJob(job: NewJob): JobDetail {
    const q = this.#q;
    transaction(this.#db, () => {
      const { id, count, intensity, seed, createdAt, expiresAt, name = '' } = job;
      const choice = { exclude: JSON.stringify(job.exclude ?? []), protectText: job.protectText ? 1 : 0 };
      const placement = job.placement ? JSON.stringify(job.placement) : null;
      q.insertJob.run({ id, count, intensity, seed, createdAt, expiresAt, name, ...choice, placement });
      job.sources.forEach((source, position) => {
        q.insertSource.run({ ...source, jobId: job.id, position, media: JSON.stringify(source.media) });
        q.deleteUpload.run(source.id);
      });
      for (const output of job.outputs) {
        const format = output.format ?? 'source';
        q.insertOutput.run({ ...output, jobId: job.id, plan: JSON.stringify(output.plan), format });
      }
    });
    return this.getJob(job.id) as JobDetail;
  }

  getJob(id: string): JobDetail | null {
    const row = this.#q.getJob.get(id) as Row | undefined;
    return row ? this.#detail(toJob(row)) : null;
  }

  /** Newest first; all of them without a limit; only those whose name or a file name contains `search`. */
  listJobs(limit = -1, search?: string): JobDetail[] {
    const pattern = `%${search?.replace(/[\\%_]/g, '\\$&')}%`;
    const rows = search ? this.#q.searchJobs.all({ pattern, limit }) : this.#q.listJobs.all(limit);
    return (rows as Row[]).map((row) => this.#detail(toJob(row)));
  }

  deleteJob(id: string): void {
    this.#q.deleteJob.run(id);
  }

  countByStatus(): Record<JobStatus, number> {
    const counts = zeroCountsByStatus();
    for (const row of this.#q.countByStatus.all() as Array<{ status: JobStatus; n: number }>) {
      counts[row.status] = row.n;
    }
    return counts;
  }

  claimNextJob(now: number): JobDetail | null {
    const q = this.#q;
    const claimed = transaction(this.#db, () => {
      const row = q.oldestQueued.get() as { id: string } | undefined;
      if (!row) return null;
      return Number(q.markRunning.run({ id: row.id, now }).changes) === 1 ? row.id : null;
    });
    return claimed === null ? null : this.getJob(claimed);
  }

  startJob(id: string, now: number): JobDetail | null {
    return Number(this.#q.startJob.run({ id, now }).changes) === 1 ? this.getJob(id) : null;
  }

  setJobStatus(id: string, status: JobStatus, now: number, error: string | null = null): void {
    this.#q.setStatus.run({ id, status, now, error });
  }

  setJobProgress(id: string, progress: number, now: number): void {
    this.#q.setJobProgress.run({ id, progress, now });
  }

  setOutputRunning(outputId: string): void {
    this.#q.outputRunning.run(outputId);
  }

  setOutputProgress(outputId: string, progress: number): void {
    this.#q.outputProgress.run({ id: outputId, progress });
  }

  completeOutput(outputId: string, result: Parameters<JobStore['completeOutput']>[1]): void {
    this.#q.completeOutput.run({
      ...result,
      id: outputId,
      distinctness: JSON.stringify(result.distinctness),
      plan: result.plan ? JSON.stringify(result.plan) : null,
      placement: result.placement ? JSON.stringify(result.placement) : null,
    });
  }

  failOutput(outputId: string, error: string): void {
    this.#q.failOutput.run({ id: outputId, error });
  }

  retryJob(id: string, now: number): JobDetail | null {
    const q = this.#q;
    const job = q.getJob.get(id) as Row | undefined;
    if (!job) return null;
    if (job.status !== 'failed') {
      throw new UserError('job_not_retryable', 'Only a batch that failed can be retried.', 409);
    }
    transaction(this.#db, () => {
      q.requeueJobOutputs.run(id);
      q.requeueJob.run({ id, now });
    });
    return this.getJob(id);
  }

  cancelJob(id: string, now: number): void {
    transaction(this.#db, () => {
      this.#q.cancelJobOutputs.run(id);
      this.setJobStatus(id, 'canceled', now, null);
    });
  }

  requeueOutputs(outputIds: string[]): void {
    transaction(this.#db, () => {
      for (const outputId of outputIds) this.#q.requeueOutput.run(outputId);
    });
  }

  recordFfmpegBuild(jobId: string, version: string): void {
    this.#q.recordFfmpeg.run(version, jobId);
  }

  markSourceDeleted(sourceId: string): void {
    this.#q.sourceDeleted.run(sourceId);
  }

  requeueUnfinished(now: number): string[] {
    const q = this.#q;
    return transaction(this.#db, () => {
      const ids = (q.unfinishedJobs.all() as Array<{ id: string }>).map((r) => r.id);
      q.requeueRunningOutputs.run();
      for (const id of ids) q.requeueJob.run({ id, now });
      return ids;
    });
  }

  listExpired(now: number): JobRecord[] {
    return (this.#q.listExpired.all(now) as Row[]).map(toJob);
  }

  listFinishedOldestFirst(): JobRecord[] {
    return (this.#q.listFinished.all() as Row[]).map(toJob);
  }

  checkpoint(): void {
    this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    // Shutdown paths may close twice; node:sqlite throws on a second close.
    if (this.#db.isOpen) this.#db.close();
  }

  #detail(job: JobRecord): JobDetail {
    return {
      ...job,
      sources: (this.#q.jobSources.all(job.id) as Row[]).map(toSource),
      outputs: (this.#q.jobOutputs.all(job.id) as Row[]).map(toOutput),
    };
  }
}

/** Same as `new SqliteJobStore(db)`, for callers that compose with factory functions. */
export function createSqliteJobStore(db: Db): SqliteJobStore {
  return new SqliteJobStore(db);
}
