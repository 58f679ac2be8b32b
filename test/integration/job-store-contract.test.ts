import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { openDatabase } from '../../src/jobs/db.js';
import { RedisJobStore } from '../../src/jobs/redis-job-store.js';
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.js';
import type { JobDetail, JobStore } from '../../src/jobs/types.js';
import { distinctRecord } from '../support/distinctness.js';
import { fakePlan, newId, storeTestJob, storeTestMedia } from '../support/job-spec.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';

/**
 * What every job store must do, run against both: SQLite in one file (the default) and Redis (API and
 * workers on several machines), a real redis-server on a free port.
 */
const media = storeTestMedia;
const newJob = storeTestJob;

const rendered = {
  sizeBytes: 1000,
  durationSec: 2,
  width: 320,
  height: 568,
  distinctness: distinctRecord(0.2),
};

interface Backend {
  store: JobStore;
  /** Another connection to the same records (a second process). */
  second(): Promise<JobStore>;
  /** What is still stored of a deleted job (rows, keys). */
  leftovers(job: JobDetail): Promise<string[]>;
  close(): Promise<void>;
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.close();
});

let tests = 0;
const backends: Record<string, () => Promise<Backend>> = {
  sqlite: async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-contract-'));
    const file = path.join(dir, 'vidvar.db');
    const db = openDatabase(file);
    const others: Array<{ close(): void }> = [];
    return {
      store: new SqliteJobStore(db),
      async second() {
        const other = openDatabase(file);
        others.push(other);
        return new SqliteJobStore(other);
      },
      async leftovers(job) {
        const tables = ['sources', 'outputs'];
        return tables.filter((table) => db.prepare(`SELECT 1 FROM ${table} WHERE job_id = ?`).get(job.id));
      },
      async close() {
        for (const other of others) other.close();
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  redis: async () => {
    // Each test its own key prefix: one server, no test sees another's records.
    const prefix = `t${++tests}:`;
    const clients = [new Redis(redis.url)];
    return {
      store: new RedisJobStore(clients[0] as Redis, prefix),
      async second() {
        const client = new Redis(redis.url);
        clients.push(client);
        return new RedisJobStore(client, prefix);
      },
      async leftovers(job) {
        const keys = await (clients[0] as Redis).keys(`${prefix}*`);
        const ids = [job.id, ...job.sources.map((s) => s.id), ...job.outputs.map((o) => o.id)];
        return keys.filter((key) => ids.some((id) => key.includes(id)));
      },
      async close() {
        for (const client of clients) await client.quit();
      },
    };
  },
};

describe.each(Object.keys(backends))('job store on %s', (kind) => {
  let backend: Backend;
  let store: JobStore;
  beforeEach(async () => {
    backend = await (backends[kind] as () => Promise<Backend>)();
    store = backend.store;
  });
  afterEach(async () => {
    await backend.close();
  });

  it('keeps a job with its sources, planned outputs and results', async () => {
    const spec = newJob(1000, 3);
    const job = await store.createJob(spec);
    expect(job).toMatchObject({ id: spec.id, status: 'queued', progress: 0, count: 3, seed: 'seed-1' });
    expect(job.sources).toEqual([
      {
        id: spec.sources[0]?.id,
        jobId: spec.id,
        position: 0,
        name: 'ad.mp4',
        sizeBytes: 200_000,
        media,
        deleted: false,
      },
    ]);
    expect(job.outputs.map((o) => [o.index, o.status, o.attempts, o.plan])).toEqual([
      [1, 'queued', 0, fakePlan(1)],
      [2, 'queued', 0, fakePlan(2)],
      [3, 'queued', 0, fakePlan(3)],
    ]);

    const first = job.outputs[0]?.id as string;
    await store.setOutputRunning(first, 1100);
    await store.completeOutput(first, rendered);
    await store.failOutput(job.outputs[1]?.id as string, 'FFmpeg could not render this variation.');
    const after = await store.getJob(job.id);
    expect(after?.outputs[0]).toMatchObject({ status: 'done', attempts: 1, progress: 1, ...rendered });
    expect(after?.outputs[1]).toMatchObject({
      status: 'failed',
      error: 'FFmpeg could not render this variation.',
    });
    // An output vPDQ sent back to be planned again is stored with the plan that was delivered.
    const third = job.outputs[2]?.id as string;
    const redrawn = { ...fakePlan(3), signature: 'redrawn' };
    await store.completeOutput(third, { ...rendered, plan: redrawn });
    expect((await store.getJob(job.id))?.outputs[2]?.plan).toEqual(redrawn);

    const newer = await store.createJob(newJob(2000));
    expect((await store.listJobs()).map((j) => j.id)).toEqual([newer.id, job.id]);
    expect((await store.listJobs(1)).map((j) => j.id)).toEqual([newer.id]);
    expect(await store.countByStatus()).toMatchObject({ queued: 2, running: 0, done: 0 });
    expect(await store.getJob('job_doesnotexist0000')).toBeNull();
  });

  it('hands an admitted upload over to the job that uses it', async () => {
    const spec = newJob(1000);
    const upload = {
      id: spec.sources[0]?.id as string,
      name: 'ad.mp4',
      sizeBytes: 200_000,
      media,
      createdAt: 900,
    };
    await store.addUpload(upload);
    await store.addUpload({ ...upload, id: newId('src') });
    expect(await store.getUpload(upload.id)).toEqual(upload);
    await store.createJob(spec);
    expect(await store.getUpload(upload.id)).toBeNull();
    expect(await store.listUploads()).toHaveLength(1);
  });

  it('gives each queued job to exactly one of two connections, oldest first', async () => {
    const second = await backend.second();
    const older = await store.createJob(newJob(1000));
    const newer = await store.createJob(newJob(2000));
    // Both at once: each claim must see the other's.
    const claims = await Promise.all([second.claimNextJob(3000), store.claimNextJob(3000)]);
    claims.push(await second.claimNextJob(3000));
    expect(claims.map((c) => c?.id ?? null).sort()).toEqual([older.id, newer.id, null].sort());
    expect(claims.find((c) => c?.id === older.id)).toMatchObject({ status: 'running', startedAt: 3000 });
    expect(await store.countByStatus()).toMatchObject({ queued: 0, running: 2 });
  });

  it('retries only the outputs that did not finish', async () => {
    const job = await store.createJob(newJob(1000, 3));
    const [done, failed] = job.outputs.map((o) => o.id) as [string, string, string];
    await store.claimNextJob(1100);
    await store.setOutputRunning(done, 1100);
    await store.completeOutput(done, rendered);
    await store.setOutputRunning(failed, 1200);
    await store.failOutput(failed, 'broken');
    await store.setJobStatus(job.id, 'failed', 1300, '2 of 3 variations failed.');
    expect(await store.getJob(job.id)).toMatchObject({ status: 'failed', finishedAt: 1300 });

    const retried = await store.retryJob(job.id, 2000);
    expect(retried).toMatchObject({ status: 'queued', error: null, finishedAt: null });
    expect(retried?.progress).toBeCloseTo(1 / 3);
    expect(retried?.outputs.map((o) => [o.status, o.attempts, o.error])).toEqual([
      ['done', 1, null],
      ['queued', 1, null],
      ['queued', 0, null],
    ]);
    await expect(async () => store.retryJob(job.id, 2100)).rejects.toThrow(UserError);
    expect(await store.retryJob('job_doesnotexist0000', 2100)).toBeNull();
  });

  it('puts work cut short by a crash back in the queue, keeping finished outputs', async () => {
    const running = await store.createJob(newJob(1000));
    const interrupted = await store.createJob(newJob(1001));
    const finished = await store.createJob(newJob(1002, 1));
    await store.claimNextJob(1100);
    const [kept, cut] = running.outputs.map((o) => o.id) as [string, string];
    await store.setOutputRunning(kept, 1100);
    await store.completeOutput(kept, rendered);
    await store.setOutputRunning(cut, 1200);
    await store.setJobStatus(interrupted.id, 'interrupted', 1200);
    await store.setJobStatus(finished.id, 'done', 1200);

    expect((await store.requeueUnfinished(5000)).sort()).toEqual([running.id, interrupted.id].sort());
    const after = await store.getJob(running.id);
    expect(after?.status).toBe('queued');
    expect(after?.outputs.map((o) => o.status)).toEqual(['done', 'queued']);
    expect(after?.progress).toBeCloseTo(0.5);
    expect((await store.getJob(interrupted.id))?.status).toBe('queued');
    expect((await store.getJob(finished.id))?.status).toBe('done');
  });

  it('cancels the unfinished outputs of a job and keeps the finished ones', async () => {
    const job = await store.createJob(newJob(1000));
    await store.completeOutput(job.outputs[0]?.id as string, rendered);
    await store.cancelJob(job.id, 1500);
    const after = await store.getJob(job.id);
    expect(after).toMatchObject({ status: 'canceled', finishedAt: 1500 });
    expect(after?.outputs.map((o) => o.status)).toEqual(['done', 'canceled']);
  });

  it('deletes a job together with its sources and outputs', async () => {
    const job = await store.createJob(newJob(1000));
    const keep = await store.createJob(newJob(1001));
    await store.deleteJob(job.id);
    expect(await store.getJob(job.id)).toBeNull();
    expect(await backend.leftovers(job)).toEqual([]);
    expect((await store.getJob(keep.id))?.outputs).toHaveLength(2);
  });

  it('lists only finished jobs for expiry, and finished jobs oldest-finished first', async () => {
    const a = await store.createJob(newJob(1000, 1, 5000));
    const b = await store.createJob(newJob(1001, 1, 5000));
    const queued = await store.createJob(newJob(1002, 1, 5000));
    const later = await store.createJob(newJob(1003, 1, 9000));
    await store.setJobStatus(a.id, 'done', 3000);
    await store.setJobStatus(b.id, 'failed', 2000);
    await store.setJobStatus(later.id, 'canceled', 2500);
    // The queued job is past its expiry too, but work that has not run is never expired.
    expect((await store.listExpired(6000)).map((j) => j.id).sort()).toEqual([a.id, b.id].sort());
    expect((await store.getJob(queued.id))?.status).toBe('queued');
    expect((await store.listFinishedOldestFirst()).map((j) => j.id)).toEqual([b.id, later.id, a.id]);
  });

  it('starts a job a queue hands over, again after its worker died, but not once it finished', async () => {
    const job = await store.createJob(newJob(1000));
    expect(await store.startJob(job.id, 1100)).toMatchObject({ status: 'running', startedAt: 1100 });
    // The worker that had it died: the queue hands it over again.
    expect(await store.startJob(job.id, 1200)).toMatchObject({ status: 'running', startedAt: 1200 });
    await store.cancelJob(job.id, 1300);
    expect(await store.startJob(job.id, 1400)).toBeNull();
    expect(await store.startJob('job_doesnotexist0000', 1400)).toBeNull();
  });

  it('writes nothing for a job deleted while its worker still reports', async () => {
    const job = await store.createJob(newJob(1000));
    await store.deleteJob(job.id);
    const output = job.outputs[0]?.id as string;
    await store.setOutputProgress(output, 0.5);
    await store.completeOutput(output, rendered);
    await store.setJobProgress(job.id, 0.5, 1100);
    await store.setJobStatus(job.id, 'done', 1200);
    expect(await store.getJob(job.id)).toBeNull();
    expect(await backend.leftovers(job)).toEqual([]);
  });

  it('counts what is promised: the outputs not yet rendered of unfinished jobs, per source', async () => {
    const job = await store.createJob(newJob(1000, 3));
    await store.completeOutput(job.outputs[0]?.id as string, rendered);
    const done = await store.createJob(newJob(1001, 2));
    await store.setJobStatus(done.id, 'done', 1100);
    expect(await store.pendingWork()).toEqual([{ media, outputs: 2 }]);
  });

  it('finds batches by name or file name, in any case', async () => {
    const spring = await store.createJob({ ...newJob(1000), name: 'Spring Sale' });
    await store.createJob({ ...newJob(1001), name: 'Autumn' });
    expect((await store.listJobs(-1, 'spring')).map((j) => j.id)).toEqual([spring.id]);
    expect(await store.listJobs(-1, 'AD.MP4')).toHaveLength(2);
  });
});
