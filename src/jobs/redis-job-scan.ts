import type { Redis } from 'ioredis';
import { isFinishedJob, zeroCountsByStatus } from '../job-status.js';
import { fromFields, type RedisKeys, toJobRecord } from './redis-records.js';
import type { JobRecord, JobStatus } from './types.js';

/**
 * Questions about every job at once (counts, expiry, eviction), answered from the jobs' own fields
 * read in one round trip. A deployment keeps jobs for a day or so: hundreds, not millions.
 */
export async function readJobRecords(redis: Redis, keys: RedisKeys): Promise<JobRecord[]> {
  const ids = await redis.zrange(keys.jobs, 0, -1);
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(keys.job(id));
  const records: JobRecord[] = [];
  for (const [error, reply] of (await pipeline.exec()) ?? []) {
    if (error) throw error;
    const hash = reply as Record<string, string>;
    if (Object.keys(hash).length > 0) records.push(toJobRecord(fromFields(hash)));
  }
  return records;
}

export function countByStatus(jobs: JobRecord[]): Record<JobStatus, number> {
  const counts = zeroCountsByStatus();
  for (const job of jobs) counts[job.status]++;
  return counts;
}

/** Finished jobs past their expiry, soonest expired first: unfinished work never expires. */
export function expiredJobs(jobs: JobRecord[], now: number): JobRecord[] {
  return jobs
    .filter((job) => isFinishedJob(job.status) && job.expiresAt <= now)
    .sort((a, b) => a.expiresAt - b.expiresAt);
}

export function finishedOldestFirst(jobs: JobRecord[]): JobRecord[] {
  const finishedAt = (job: JobRecord) => job.finishedAt ?? job.updatedAt;
  return jobs
    .filter((job) => isFinishedJob(job.status))
    .sort((a, b) => finishedAt(a) - finishedAt(b) || a.createdAt - b.createdAt);
}
