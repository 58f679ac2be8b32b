import type { JobRecord, NewJob, OutputRecord, SourceRecord } from './types.js';

/**
 * How the Redis job store lays records out. Every record is a hash whose fields hold JSON values, so
 * numbers, nulls and objects come back as they went in, and a Lua script can compare a field with the
 * JSON of a value ('"queued"'). Keys share one prefix so that a deployment can share a Redis database.
 */
export interface RedisKeys {
  job(id: string): string;
  output(id: string): string;
  /** Which job a source belongs to (markSourceDeleted names only the source). */
  source(id: string): string;
  upload(id: string): string;
  /** Every job id, scored by createdAt. */
  jobs: string;
  /** Every admitted upload id, scored by createdAt. */
  uploads: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    job: (id) => `${prefix}job:${id}`,
    output: (id) => `${prefix}output:${id}`,
    source: (id) => `${prefix}source:${id}`,
    upload: (id) => `${prefix}upload:${id}`,
    jobs: `${prefix}jobs`,
    uploads: `${prefix}uploads`,
  };
}

/** The fields of an object as HSET arguments, each value as JSON (undefined fields are left out). */
export function toFields(record: Record<string, unknown>): string[] {
  const fields: string[] = [];
  for (const [name, value] of Object.entries(record)) {
    if (value !== undefined) fields.push(name, JSON.stringify(value));
  }
  return fields;
}

export function fromFields(hash: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(hash).map(([name, value]) => [name, JSON.parse(value)]));
}

const JOB_FIELDS = [
  'id',
  'status',
  'progress',
  'count',
  'intensity',
  'seed',
  'error',
  'createdAt',
  'updatedAt',
  'expiresAt',
  'startedAt',
  'finishedAt',
  'ffmpeg',
  'name',
  'exclude',
  'protectText',
  'placement',
] as const satisfies ReadonlyArray<keyof JobRecord>;

/** The job's own fields from its hash (which also holds its sources and output ids). */
export function toJobRecord(fields: Record<string, unknown>): JobRecord {
  return Object.fromEntries(JOB_FIELDS.map((name) => [name, fields[name] ?? null])) as unknown as JobRecord;
}

/** Sources are written once with the job; a deleted source is a `deleted:<id>` field beside them. */
export function toSources(fields: Record<string, unknown>): SourceRecord[] {
  const sources = (fields.sources ?? []) as Array<Omit<SourceRecord, 'deleted'>>;
  return sources.map((source) => ({ ...source, deleted: fields[`deleted:${source.id}`] === true }));
}

export function toOutputRecord(fields: Record<string, unknown>): OutputRecord {
  return fields as unknown as OutputRecord;
}

/** A new job's hash: its record, its sources (with their place), and its output ids in creation order. */
export function newJobFields(job: NewJob): Record<string, unknown> {
  const record: JobRecord = {
    id: job.id,
    status: 'queued',
    progress: 0,
    count: job.count,
    intensity: job.intensity,
    seed: job.seed,
    error: null,
    createdAt: job.createdAt,
    updatedAt: job.createdAt,
    expiresAt: job.expiresAt,
    startedAt: null,
    finishedAt: null,
    ffmpeg: null,
    name: job.name ?? '',
    exclude: job.exclude ?? [],
    protectText: job.protectText ?? false,
    placement: job.placement ?? null,
  };
  const sources = job.sources.map((source, position) => ({ ...source, jobId: job.id, position }));
  return { ...record, sources, outputIds: job.outputs.map((output) => output.id) };
}

export function newOutputRecord(jobId: string, output: NewJob['outputs'][number]): OutputRecord {
  return {
    id: output.id,
    jobId,
    sourceId: output.sourceId,
    index: output.index,
    status: 'queued',
    progress: 0,
    plan: output.plan,
    error: null,
    sizeBytes: null,
    durationSec: null,
    width: null,
    height: null,
    distinctness: null,
    attempts: 0,
    format: output.format ?? 'source',
    placement: null,
  };
}
