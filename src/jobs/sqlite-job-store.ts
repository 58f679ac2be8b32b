import { UserError } from '../errors.js';
import type { Intensity } from '../media/types.js';
import type { Db } from './db.js';
import type {
  JobDetail,
  JobRecord,
  JobStatus,
  JobStore,
  NewJob,
  OutputRecord,
  OutputStatus,
  SourceRecord,
  UploadRecord,
} from './types.js';

type Row = Record<string, unknown>;

const FINISHED = `('done', 'failed', 'canceled')`;

function toJob(r: Row): JobRecord {
  return {
    id: r.id as string,
    status: r.status as JobStatus,
    progress: r.progress as number,
    count: r.count as number,
    intensity: r.intensity as Intensity,
    seed: r.seed as string,
    error: r.error as string | null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    expiresAt: r.expires_at as number,
    startedAt: r.started_at as number | null,
    finishedAt: r.finished_at as number | null,
  };
}

function toSource(r: Row): SourceRecord {
  return {
    id: r.id as string,
    jobId: r.job_id as string,
    position: r.position as number,
    name: r.name as string,
    sizeBytes: r.size_bytes as number,
    media: JSON.parse(r.media as string),
    deleted: r.deleted === 1,
  };
}

function toOutput(r: Row): OutputRecord {
  return {
    id: r.id as string,
    jobId: r.job_id as string,
    sourceId: r.source_id as string,
    index: r.idx as number,
    status: r.status as OutputStatus,
    progress: r.progress as number,
    plan: JSON.parse(r.plan as string),
    error: r.error as string | null,
    sizeBytes: r.size_bytes as number | null,
    durationSec: r.duration_sec as number | null,
    width: r.width as number | null,
    height: r.height as number | null,
    distinctness: r.distinctness === null ? null : JSON.parse(r.distinctness as string),
    attempts: r.attempts as number,
  };
}

function toUpload(r: Row): UploadRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    sizeBytes: r.size_bytes as number,
    media: JSON.parse(r.media as string),
    createdAt: r.created_at as number,
  };
}

/**
 * The job store on one SQLite connection. Statements are prepared once; every method is one short
 * synchronous statement or transaction, so no lock is ever held while FFmpeg or the network runs.
 */
export function createSqliteJobStore(db: Db): JobStore {
  const sql = (text: string) => db.prepare(text);
  const q = {
    insertUpload: sql(
      'INSERT INTO uploads (id, name, size_bytes, media, created_at) VALUES (@id, @name, @sizeBytes, @media, @createdAt)',
    ),
    getUpload: sql('SELECT * FROM uploads WHERE id = ?'),
    deleteUpload: sql('DELETE FROM uploads WHERE id = ?'),
    listUploads: sql('SELECT * FROM uploads ORDER BY created_at, id'),
    insertJob: sql(`INSERT INTO jobs (id, status, count, intensity, seed, created_at, updated_at, expires_at)
      VALUES (@id, 'queued', @count, @intensity, @seed, @createdAt, @createdAt, @expiresAt)`),
    insertSource: sql(`INSERT INTO sources (id, job_id, position, name, size_bytes, media)
      VALUES (@id, @jobId, @position, @name, @sizeBytes, @media)`),
    insertOutput: sql(`INSERT INTO outputs (id, job_id, source_id, idx, status, plan)
      VALUES (@id, @jobId, @sourceId, @index, 'queued', @plan)`),
    getJob: sql('SELECT * FROM jobs WHERE id = ?'),
    jobSources: sql('SELECT * FROM sources WHERE job_id = ? ORDER BY position'),
    jobOutputs: sql(
      'SELECT o.* FROM outputs o JOIN sources s ON s.id = o.source_id WHERE o.job_id = ? ORDER BY s.position, o.idx',
    ),
    listJobs: sql('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?'),
    deleteJob: sql('DELETE FROM jobs WHERE id = ?'),
    countByStatus: sql('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status'),
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
      duration_sec = @durationSec, width = @width, height = @height, distinctness = @distinctness WHERE id = @id`),
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
    unfinishedJobs: sql(`SELECT id FROM jobs WHERE status IN ('running', 'interrupted') ORDER BY created_at`),
    requeueRunningOutputs: sql(`UPDATE outputs SET status = 'queued', progress = 0 WHERE status = 'running'`),
    listExpired: sql(
      `SELECT * FROM jobs WHERE expires_at <= ? AND status IN ${FINISHED} ORDER BY expires_at`,
    ),
    listFinished: sql(
      `SELECT * FROM jobs WHERE status IN ${FINISHED} ORDER BY COALESCE(finished_at, updated_at), created_at`,
    ),
  };

  function detail(job: JobRecord): JobDetail {
    return {
      ...job,
      sources: (q.jobSources.all(job.id) as Row[]).map(toSource),
      outputs: (q.jobOutputs.all(job.id) as Row[]).map(toOutput),
    };
  }

  function getJob(id: string): JobDetail | null {
    const row = q.getJob.get(id) as Row | undefined;
    return row ? detail(toJob(row)) : null;
  }

  function setJobStatus(id: string, status: JobStatus, now: number, error: string | null = null): void {
    q.setStatus.run({ id, status, now, error });
  }

  return {
    addUpload(upload) {
      q.insertUpload.run({ ...upload, media: JSON.stringify(upload.media) });
    },
    getUpload(id) {
      const row = q.getUpload.get(id) as Row | undefined;
      return row ? toUpload(row) : null;
    },
    deleteUpload(id) {
      q.deleteUpload.run(id);
    },
    listUploads() {
      return (q.listUploads.all() as Row[]).map(toUpload);
    },

    createJob(job: NewJob) {
      db.transaction(() => {
        q.insertJob.run(job);
        job.sources.forEach((source, position) => {
          q.insertSource.run({ ...source, jobId: job.id, position, media: JSON.stringify(source.media) });
          q.deleteUpload.run(source.id);
        });
        for (const output of job.outputs) {
          q.insertOutput.run({ ...output, jobId: job.id, plan: JSON.stringify(output.plan) });
        }
      }).immediate();
      return getJob(job.id) as JobDetail;
    },
    getJob,
    listJobs(limit = -1) {
      return (q.listJobs.all(limit) as Row[]).map((row) => detail(toJob(row)));
    },
    deleteJob(id) {
      q.deleteJob.run(id);
    },
    countByStatus() {
      const counts: Record<JobStatus, number> = {
        queued: 0,
        running: 0,
        done: 0,
        failed: 0,
        canceled: 0,
        interrupted: 0,
      };
      for (const row of q.countByStatus.all() as Array<{ status: JobStatus; n: number }>) {
        counts[row.status] = row.n;
      }
      return counts;
    },

    claimNextJob(now) {
      const claimed = db
        .transaction(() => {
          const row = q.oldestQueued.get() as { id: string } | undefined;
          if (!row) return null;
          return q.markRunning.run({ id: row.id, now }).changes === 1 ? row.id : null;
        })
        .immediate();
      return claimed === null ? null : getJob(claimed);
    },
    setJobStatus,
    setJobProgress(id, progress, now) {
      q.setJobProgress.run({ id, progress, now });
    },

    setOutputRunning(outputId) {
      q.outputRunning.run(outputId);
    },
    setOutputProgress(outputId, progress) {
      q.outputProgress.run({ id: outputId, progress });
    },
    completeOutput(outputId, result) {
      q.completeOutput.run({ ...result, id: outputId, distinctness: JSON.stringify(result.distinctness) });
    },
    failOutput(outputId, error) {
      q.failOutput.run({ id: outputId, error });
    },
    retryJob(id, now) {
      const job = q.getJob.get(id) as Row | undefined;
      if (!job) return null;
      if (job.status !== 'failed') {
        throw new UserError('job_not_retryable', 'Only a batch that failed can be retried.', 409);
      }
      db.transaction(() => {
        q.requeueJobOutputs.run(id);
        q.requeueJob.run({ id, now });
      }).immediate();
      return getJob(id);
    },
    cancelJob(id, now) {
      db.transaction(() => {
        q.cancelJobOutputs.run(id);
        setJobStatus(id, 'canceled', now, null);
      }).immediate();
    },
    requeueOutputs(outputIds) {
      db.transaction(() => {
        for (const outputId of outputIds) q.requeueOutput.run(outputId);
      }).immediate();
    },
    markSourceDeleted(sourceId) {
      q.sourceDeleted.run(sourceId);
    },

    requeueUnfinished(now) {
      return db
        .transaction(() => {
          const ids = (q.unfinishedJobs.all() as Array<{ id: string }>).map((r) => r.id);
          q.requeueRunningOutputs.run();
          for (const id of ids) q.requeueJob.run({ id, now });
          return ids;
        })
        .immediate();
    },
    listExpired(now) {
      return (q.listExpired.all(now) as Row[]).map(toJob);
    },
    listFinishedOldestFirst() {
      return (q.listFinished.all() as Row[]).map(toJob);
    },

    checkpoint() {
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    close() {
      db.close();
    },
  };
}
