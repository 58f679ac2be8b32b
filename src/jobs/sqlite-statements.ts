import type { Db } from './db.js';
import { FINISHED, JOB, OUTPUT, SOURCE, UPLOAD } from './sqlite-rows.js';

/** Every statement of the SQLite job store, prepared once per connection. */
export type JobStatements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: Db) {
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
      sql(`INSERT INTO jobs (id, status, count, intensity, seed, created_at, updated_at, expires_at, name,
      exclude, protect_text, placement)
      VALUES (@id, 'queued', @count, @intensity, @seed, @createdAt, @createdAt, @expiresAt, @name, @exclude,
      @protectText, @placement)`),
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
    // A search matches the batch's name or one of its file names, anywhere in them, ignoring case.
    searchJobs:
      sql(`SELECT ${JOB} FROM jobs WHERE name LIKE @pattern ESCAPE '\\' OR EXISTS (SELECT 1 FROM sources s
      WHERE s.job_id = jobs.id AND s.name LIKE @pattern ESCAPE '\\') ORDER BY created_at DESC, rowid DESC LIMIT @limit`),
    deleteJob: sql('DELETE FROM jobs WHERE id = ?'),
    countByStatus: sql('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status'),
    pendingWork: sql(`SELECT s.media, COUNT(*) AS outputs FROM outputs o
      JOIN jobs j ON j.id = o.job_id JOIN sources s ON s.id = o.source_id
      WHERE j.status IN ('queued', 'running', 'interrupted') AND o.status IN ('queued', 'running')
      GROUP BY o.source_id`),
    oldestQueued: sql(`SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at, rowid LIMIT 1`),
    markRunning: sql(`UPDATE jobs SET status = 'running', started_at = @now, updated_at = @now, error = NULL
      WHERE id = @id AND status = 'queued'`),
    startJob: sql(`UPDATE jobs SET status = 'running', started_at = @now, updated_at = @now, error = NULL
      WHERE id = @id AND status IN ('queued', 'interrupted', 'running')`),
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
