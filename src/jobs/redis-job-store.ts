import type { Redis } from 'ioredis';
import { UserError } from '../errors.js';
import { isFinishedJob } from '../job-status.js';
import { countByStatus, expiredJobs, finishedOldestFirst, readJobRecords } from './redis-job-scan.js';
import {
  fromFields,
  newJobFields,
  newOutputRecord,
  type RedisKeys,
  redisKeys,
  toFields,
  toJobRecord,
  toOutputRecord,
  toSources,
} from './redis-records.js';
import {
  CANCEL_JOB,
  CLAIM_OLDEST,
  OUTPUT_RUNNING,
  RECORD_FFMPEG,
  REQUEUE_JOB,
  SET_IF_EXISTS,
  START_JOB,
} from './redis-scripts.js';
import type {
  JobDetail,
  JobRecord,
  JobStatus,
  JobStore,
  NewJob,
  OutputRecord,
  PendingWork,
  UploadRecord,
} from './types.js';

const UNFINISHED: readonly JobStatus[] = ['queued', 'running', 'interrupted'];

/**
 * The job store in Redis, for API and worker processes on several machines: every process reads and
 * writes the same records, so a job's record stays the one truth whichever process renders it or
 * answers for it. A job is a hash (its fields, its sources, its output ids), each output a hash of
 * its own, so a worker's progress writes touch one small key. Checks and writes that must not be
 * split run as Lua scripts (redis-scripts.ts).
 */
export class RedisJobStore implements JobStore {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'vidvar:') {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#keys = redisKeys(prefix);
  }

  async addUpload(upload: UploadRecord): Promise<void> {
    await this.#redis
      .multi()
      .hset(this.#keys.upload(upload.id), ...toFields({ ...upload }))
      .zadd(this.#keys.uploads, upload.createdAt, upload.id)
      .exec();
  }

  async getUpload(id: string): Promise<UploadRecord | null> {
    const hash = await this.#redis.hgetall(this.#keys.upload(id));
    return Object.keys(hash).length > 0 ? (fromFields(hash) as unknown as UploadRecord) : null;
  }

  async deleteUpload(id: string): Promise<void> {
    await this.#redis.multi().del(this.#keys.upload(id)).zrem(this.#keys.uploads, id).exec();
  }

  async listUploads(): Promise<UploadRecord[]> {
    const ids = await this.#redis.zrange(this.#keys.uploads, 0, -1);
    const found = await Promise.all(ids.map((id) => this.getUpload(id)));
    return found.filter((upload): upload is UploadRecord => upload !== null);
  }

  async createJob(job: NewJob): Promise<JobDetail> {
    const k = this.#keys;
    const tx = this.#redis.multi();
    tx.hset(k.job(job.id), ...toFields(newJobFields(job)));
    for (const output of job.outputs) {
      tx.hset(k.output(output.id), ...toFields({ ...newOutputRecord(job.id, output) }));
    }
    for (const source of job.sources) {
      tx.set(k.source(source.id), job.id);
      tx.del(k.upload(source.id));
      tx.zrem(k.uploads, source.id);
    }
    tx.zadd(k.jobs, job.createdAt, job.id);
    await tx.exec();
    return (await this.getJob(job.id)) as JobDetail;
  }

  async getJob(id: string): Promise<JobDetail | null> {
    const hash = await this.#redis.hgetall(this.#keys.job(id));
    if (Object.keys(hash).length === 0) return null;
    const fields = fromFields(hash);
    const outputIds = (fields.outputIds ?? []) as string[];
    const pipeline = this.#redis.pipeline();
    for (const outputId of outputIds) pipeline.hgetall(this.#keys.output(outputId));
    const replies = (await pipeline.exec()) ?? [];
    const outputs: OutputRecord[] = [];
    for (const [error, reply] of replies) {
      if (error) throw error;
      const output = reply as Record<string, string>;
      if (Object.keys(output).length > 0) outputs.push(toOutputRecord(fromFields(output)));
    }
    const sources = toSources(fields);
    // In the order SQLite gives: by source, then variation, then placement as created.
    const position = new Map(sources.map((source) => [source.id, source.position]));
    const created = new Map(outputIds.map((outputId, i) => [outputId, i]));
    outputs.sort(
      (a, b) =>
        (position.get(a.sourceId) ?? 0) - (position.get(b.sourceId) ?? 0) ||
        a.index - b.index ||
        (created.get(a.id) ?? 0) - (created.get(b.id) ?? 0),
    );
    return { ...toJobRecord(fields), sources, outputs };
  }

  async listJobs(limit = -1, search?: string): Promise<JobDetail[]> {
    const ids = await this.#redis.zrange(this.#keys.jobs, 0, -1, 'REV');
    const needle = search?.toLowerCase();
    const found: JobDetail[] = [];
    for (const id of ids) {
      if (limit >= 0 && found.length >= limit) break;
      const job = await this.getJob(id);
      if (!job) continue;
      const names = [job.name, ...job.sources.map((source) => source.name)];
      if (needle && !names.some((name) => name.toLowerCase().includes(needle))) continue;
      found.push(job);
    }
    return found;
  }

  async deleteJob(id: string): Promise<void> {
    const job = await this.getJob(id);
    if (!job) return;
    const k = this.#keys;
    const tx = this.#redis.multi().del(k.job(id)).zrem(k.jobs, id);
    for (const output of job.outputs) tx.del(k.output(output.id));
    for (const source of job.sources) tx.del(k.source(source.id));
    await tx.exec();
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    return countByStatus(await this.#records());
  }

  async pendingWork(): Promise<PendingWork[]> {
    const work: PendingWork[] = [];
    for (const record of await this.#records()) {
      if (!UNFINISHED.includes(record.status)) continue;
      const job = await this.getJob(record.id);
      for (const source of job?.sources ?? []) {
        const outputs = (job?.outputs ?? []).filter(
          (o) => o.sourceId === source.id && (o.status === 'queued' || o.status === 'running'),
        ).length;
        if (outputs > 0) work.push({ media: source.media, outputs });
      }
    }
    return work;
  }

  async claimNextJob(now: number): Promise<JobDetail | null> {
    const id = (await this.#redis.eval(CLAIM_OLDEST, 1, this.#keys.jobs, this.#prefix, String(now))) as
      | string
      | null;
    return id ? this.getJob(id) : null;
  }

  /** A job handed over by the queue becomes running (again, after a worker died); null when finished or gone. */
  async startJob(id: string, now: number): Promise<JobDetail | null> {
    const outcome = await this.#redis.eval(START_JOB, 1, this.#keys.job(id), String(now));
    return outcome === 'started' ? this.getJob(id) : null;
  }

  async setJobStatus(id: string, status: JobStatus, now: number, error: string | null = null): Promise<void> {
    const finishedAt = isFinishedJob(status) ? now : null;
    const progress = status === 'done' ? { progress: 1 } : {};
    await this.#set(this.#keys.job(id), { status, error, updatedAt: now, finishedAt, ...progress });
  }

  async setJobProgress(id: string, progress: number, now: number): Promise<void> {
    await this.#set(this.#keys.job(id), { progress, updatedAt: now });
  }

  async setOutputRunning(outputId: string): Promise<void> {
    await this.#redis.eval(OUTPUT_RUNNING, 1, this.#keys.output(outputId));
  }

  async setOutputProgress(outputId: string, progress: number): Promise<void> {
    await this.#set(this.#keys.output(outputId), { progress });
  }

  async completeOutput(outputId: string, result: Parameters<JobStore['completeOutput']>[1]): Promise<void> {
    const { plan, placement, ...facts } = result;
    await this.#set(this.#keys.output(outputId), {
      ...facts,
      status: 'done',
      progress: 1,
      error: null,
      placement: placement ?? null,
      ...(plan ? { plan } : {}),
    });
  }

  async failOutput(outputId: string, error: string): Promise<void> {
    await this.#set(this.#keys.output(outputId), { status: 'failed', error });
  }

  async retryJob(id: string, now: number): Promise<JobDetail | null> {
    const outcome = await this.#requeue(id, now, 'retry');
    if (outcome === 'missing') return null;
    if (outcome === 'not_failed') {
      throw new UserError('job_not_retryable', 'Only a batch that failed can be retried.', 409);
    }
    return this.getJob(id);
  }

  async cancelJob(id: string, now: number): Promise<void> {
    const keys = await this.#jobAndOutputKeys(id);
    if (keys) await this.#redis.eval(CANCEL_JOB, keys.length, ...keys, String(now));
  }

  async requeueOutputs(outputIds: string[]): Promise<void> {
    const cleared = { sizeBytes: null, durationSec: null, width: null, height: null, distinctness: null };
    for (const outputId of outputIds) {
      await this.#set(this.#keys.output(outputId), {
        status: 'queued',
        progress: 0,
        error: null,
        ...cleared,
      });
    }
  }

  async markSourceDeleted(sourceId: string): Promise<void> {
    const jobId = await this.#redis.get(this.#keys.source(sourceId));
    if (jobId) await this.#set(this.#keys.job(jobId), { [`deleted:${sourceId}`]: true });
  }

  async recordFfmpegBuild(jobId: string, version: string): Promise<void> {
    await this.#redis.eval(RECORD_FFMPEG, 1, this.#keys.job(jobId), JSON.stringify(version));
  }

  async requeueUnfinished(now: number): Promise<string[]> {
    const requeued: string[] = [];
    for (const record of await this.#records()) {
      if (record.status !== 'running' && record.status !== 'interrupted') continue;
      if ((await this.#requeue(record.id, now, 'requeue')) === 'ok') requeued.push(record.id);
    }
    return requeued;
  }

  async listExpired(now: number): Promise<JobRecord[]> {
    return expiredJobs(await this.#records(), now);
  }

  async listFinishedOldestFirst(): Promise<JobRecord[]> {
    return finishedOldestFirst(await this.#records());
  }

  /** Redis writes its own snapshots and append-only file: nothing to flush from here. */
  checkpoint(): void {}

  async close(): Promise<void> {
    if (this.#redis.status !== 'end') await this.#redis.quit();
  }

  /** Every job's own fields, oldest first, without sources or outputs. */
  #records(): Promise<JobRecord[]> {
    return readJobRecords(this.#redis, this.#keys);
  }

  async #set(key: string, fields: Record<string, unknown>): Promise<void> {
    await this.#redis.eval(SET_IF_EXISTS, 1, key, ...toFields(fields));
  }

  async #jobAndOutputKeys(id: string): Promise<string[] | null> {
    const outputIds = await this.#redis.hget(this.#keys.job(id), 'outputIds');
    if (outputIds === null) return null;
    return [this.#keys.job(id), ...(JSON.parse(outputIds) as string[]).map((o) => this.#keys.output(o))];
  }

  async #requeue(id: string, now: number, mode: 'retry' | 'requeue'): Promise<string> {
    const keys = await this.#jobAndOutputKeys(id);
    if (!keys) return 'missing';
    return (await this.#redis.eval(REQUEUE_JOB, keys.length, ...keys, String(now), mode)) as string;
  }
}
