import { FINISHED_JOB_STATUSES } from '../job-status.js';
import type { JobRecord, OutputRecord, SourceRecord, UploadRecord } from './types.js';

/** Rows of the SQLite job store and their records: columns aliased to field names, JSON parsed. */
export type Row = Record<string, unknown>;

export const FINISHED = `(${FINISHED_JOB_STATUSES.map((status) => `'${status}'`).join(', ')})`;

// Columns aliased to the record's field names: only JSON and booleans need converting.
export const JOB = `id, status, progress, count, intensity, seed, error, created_at AS createdAt, updated_at AS updatedAt,
  expires_at AS expiresAt, started_at AS startedAt, finished_at AS finishedAt, ffmpeg, name, exclude,
  protect_text AS protectText, placement`;
export const SOURCE = 'id, job_id AS jobId, position, name, size_bytes AS sizeBytes, media, deleted';
export const OUTPUT = `o.id, o.job_id AS jobId, o.source_id AS sourceId, o.idx AS "index", o.status, o.progress, o.plan,
  o.error, o.size_bytes AS sizeBytes, o.duration_sec AS durationSec, o.width, o.height, o.distinctness, o.attempts,
  o.format, o.placement`;
export const UPLOAD = 'id, name, size_bytes AS sizeBytes, media, created_at AS createdAt';

export const toJob = (r: Row) =>
  ({
    ...r,
    exclude: JSON.parse(r.exclude as string),
    protectText: r.protectText === 1,
    placement: parseOrNull(r.placement),
  }) as unknown as JobRecord;
export const toSource = (r: Row): SourceRecord =>
  ({ ...r, media: JSON.parse(r.media as string), deleted: r.deleted === 1 }) as SourceRecord;
export const toUpload = (r: Row): UploadRecord =>
  ({ ...r, media: JSON.parse(r.media as string) }) as UploadRecord;
export const toOutput = (r: Row): OutputRecord =>
  ({
    ...r,
    plan: JSON.parse(r.plan as string),
    distinctness: r.distinctness === null ? null : JSON.parse(r.distinctness as string),
    placement: parseOrNull(r.placement),
  }) as OutputRecord;

/** A JSON column that may be NULL (rows written before the column existed, or with nothing to say). */
function parseOrNull(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : null;
}
