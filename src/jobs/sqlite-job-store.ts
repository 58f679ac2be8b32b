import { UserError } from '../errors.js';
import type { Db } from './db.js';
import {
  FINISHED,
  JOB,
  OUTPUT,
  type Row,
  SOURCE,
  toJob,
  toOutput,
  toSource,
  toUpload,
  UPLOAD,
} from './sqlite-rows.js';
import { transaction } from './transaction.js';
import type {
  JobDetail,
  JobRecord,
  JobStatus,
  JobStore,
  NewJob,
  PendingWork,
  UploadRecord,
} from './types.js';

function prepareStatements(db: Db) {
  // Records are bound whole (a job with its sources and outputs, say); the statement takes the
  // fields it names and ignores the rest instead of throwing.
  const sql = (text: string) => {
    const statement = db.prepare(text);
    statement.setAllowUnknownNamedParameters(true);
    return statement;
  };
  return {
    insertUpload: sql(
      'INSERT INTO uploads (id, name, size_bytes, media, created_at) VALUES (@id, @name, @sizeBytes, @media, @createdAt)',
    ),
    getUpload: sql(`SELECT ${UPLOAD} FROM uploads WHERE id = ?`),
    deleteUpload: sql('DELETE FROM uploads WHERE id = ?'),
    listUploads: sql(`SELECT ${UPLOAD} FROM uploads ORDER BY created_at, id`),
    insertJob:
      sql(`INSERT INTO jobs (id, status, count, intensity, seed, created_at, updated_at, expires_at, placement)
      VALUES (@id, 'queued', @count, @intensity, @seed, @createdAt, @createdAt, @expiresAt, @placement)`),
    insertSource: sql(`INSERT INTO sources (id, job_id, position, name, size_bytes, media)
      VALUES (@id, @jobId, @position, @name, @sizeBytes, @media)`),
    insertOutput: sql(`INSERT INTO outputs (id, job_id, source_id, idx, status, plan, format)
      VALUES (@id, @jobId, @sourceId, @index, 'queued', @plan, @format)`),
    getJob: sql(`SELECT ${JOB} FROM jobs WHERE id = ?`),
    jobSources: sql(`SELECT ${SOURCE} FROM sources WHERE job_id = ? ORDER BY position`),
    jobOutputs: sql(
      `SELECT ${OUTPUT} FROM outputs o JOIN sources s ON s.id = o.source_id WHERE o.job_id = ? ORDER BY s.position, o.idx, o.rowid`,
    ),
    listJobs: sql(`SELECT ${JOB} FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?`),
    deleteJob: sql('DELETE FROM jobs WHERE id = ?'),
    countByStatus: sql('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status'),
    pendingWork: sql(`SELECT s.media, COUNT(*) AS outputs FROM outputs o
      JOIN jobs j ON j.id = o.job_id JOIN sources s ON s.id = o.source_id
      WHERE j.status IN ('queued', 'running', 'interrupted') AND o.status IN ('queued', 'running')
      GROUP BY o.source_id`),
    oldestQueued: sql(`SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at, rowid LIMIT 1`),
    markRunning: sql(`UPDATE jobs SET status = 'running', started_at = @now, updated_at = @now, error = NULL
      WHERE id = @id AND status = 'queued'`),
    setStatus: sql(`UPDATE jobs SET status = @status, error = @error, updated_at = @now,
      finished_at = CASE WHEN @status IN ${FINISHED} THEN @now ELSE NULL END,
      progress = CASE WHEN @status = 'done' THEN 1 ELSE progress END WHERE id = @id`),
    setJobProgress: sql('UPDATE jobs SET progress = @progress, updated_at = @now WHERE id = @id'),
    outputRunning: sql(
      `UPDATE outputs SET status = 'running', attempts = attempts + 1, progress = 0, error = NULL WHERE id = ?`,
    ),
    outputProgress: sql('UPDATE outputs SET progress = @progress WHERE id = @id'),
    completeOutput:
      sql(`UPDATE outputs SET status = 'done', progress = 1, error = NULL, size_bytes = @sizeBytes,
      duration_sec = @durationSec, width = @width, height = @height, distinctness = @distinctness, plan = COALESCE(@plan, plan),
      placement = @placement WHERE id = @id`),
    failOutput: sql(`UPDATE outputs SET status = 'failed', error = @error WHERE id = @id`),
    requeueOutput: sql(`UPDATE outputs SET status = 'queued', progress = 0, error = NULL, size_bytes = NULL,
      duration_sec = NULL, width = NULL, height = NULL, distinctness = NULL WHERE id = ?`),
    requeueJobOutputs: sql(`UPDATE outputs SET status = 'queued', progress = 0, error = NULL
      WHERE job_id = ? AND status <> 'done'`),
    cancelJobOutputs: sql(`UPDATE outputs SET status = 'canceled' WHERE job_id = ? AND status <> 'done'`),
    requeueJob: sql(`UPDATE jobs SET status = 'queued', error = NULL, finished_at = NULL, updated_at = @now,
      progress = (SELECT COALESCE(AVG(CASE WHEN status = 'done' THEN 1.0 ELSE 0 END), 0) FROM outputs
                  WHERE job_id = @id)
      WHERE id = @id`),
    sourceDeleted: sql('UPDATE sources SET deleted = 1 WHERE id = ?'),
    recordFfmpeg: sql('UPDATE jobs SET ffmpeg = COALESCE(ffmpeg, ?) WHERE id = ?'),
    unfinishedJobs: sql(`SELECT id FROM jobs WHERE status IN ('running', 'interrupted') ORDER BY created_at`),
    requeueRunningOutputs: sql(`UPDATE outputs SET status = 'queued', progress = 0 WHERE status = 'running'`),
    listExpired: sql(
      `SELECT ${JOB} FROM jobs WHERE expires_at <= ? AND status IN ${FINISHED} ORDER BY expires_at`,
    ),
    listFinished: sql(
      `SELECT ${JOB} FROM jobs WHERE status IN ${FINISHED} ORDER BY COALESCE(finished_at, updated_at), created_at`,
    ),
  };
}

/**
 * The job store on one SQLite connection. Statements are prepared once; every method is one short
 * synchronous statement or transaction, so no lock is ever held while FFmpeg or the network runs.
 */
export class SqliteJobStore implements JobStore {
  readonly #db: Db;
  readonly #q: ReturnType<typeof prepareStatements>;

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
      const { id, count, intensity, seed, createdAt, expiresAt } = job;
      const placement = job.placement ? JSON.stringify(job.placement) : null;
      q.insertJob.run({ id, count, intensity, seed, createdAt, expiresAt, placement });
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

  /** Newest first; all of them without a limit. */
  listJobs(limit = -1): JobDetail[] {
    return (this.#q.listJobs.all(limit) as Row[]).map((row) => this.#detail(toJob(row)));
  }

  deleteJob(id: string): void {
    this.#q.deleteJob.run(id);
  }

  countByStatus(): Record<JobStatus, number> {
    const counts: Record<JobStatus, number> = {
      queued: 0,
      running: 0,
      done: 0,
      failed: 0,
      canceled: 0,
      interrupted: 0,
    };
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
export function createSqliteJobStore(db: Db): JobStore {
  return new SqliteJobStore(db);
}
