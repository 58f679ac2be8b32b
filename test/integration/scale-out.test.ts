import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { RENDER_QUEUE } from '../../src/jobs/queue-worker.js';
import { extractZip, probeVideo } from '../e2e/zip-check.js';
import { clip } from '../support/clips.js';
import { waitForJob } from '../support/http-client.js';
import { jobEvents } from '../support/job-event-stream.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { startVidvar, type VidvarProcess } from '../support/server-process.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { killWorkerMidRender, workerThatStarted } from '../support/worker-kill.js';

/**
 * Past one machine: two API processes (`vidvar serve`, rendering nothing) and two `vidvar worker`s,
 * every one a real process, sharing a real redis-server started here and one data folder (a shared
 * volume). The records, the queue, sessions and job events all go through Redis.
 */
let redis: RedisServer;
let dataDir: string;
// Filled as each process starts: one that fails to start leaves the others to be stopped, not orphaned.
const apis: VidvarProcess[] = [];
const workers: VidvarProcess[] = [];

const shared = () => ({
  REDIS_URL: redis.url,
  // A worker that dies loses its jobs to another after 3 s (30 s by default).
  WORKER_LOCK_SECONDS: '3',
  OUTPUT_MAX_SIDE: '320',
  FFMPEG_PROCESSES: '1',
  X264_PRESET: 'ultrafast',
});

const startWorker = () => startVidvar(dataDir, { command: 'worker', env: shared(), ownProcessGroup: true });

beforeAll(async () => {
  redis = await startRedisServer();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-scale-'));
  const webhooks = { WEBHOOK_SECRET: 'a webhook secret of the deployment', WEBHOOK_ALLOW_PRIVATE: 'true' };
  for (let i = 0; i < 2; i++) {
    apis.push(await startVidvar(dataDir, { env: { ...shared(), ...webhooks, WORKER_CONCURRENCY: '0' } }));
  }
  for (let i = 0; i < 2; i++) workers.push(await startWorker());
  // Signed in through the first API only: the session is good on both.
  const cookie = await (apis[0] as VidvarProcess).signIn();
  (apis[1] as VidvarProcess).cookie = cookie;
}, 120_000);

afterAll(async () => {
  for (const proc of [...apis, ...workers]) await proc.kill();
  await redis?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const api = (i: 0 | 1) => apis[i] as VidvarProcess;

async function createJob(through: VidvarProcess, files: string[], count: number): Promise<JobView> {
  const res = await through.postJob(files, { count: String(count), intensity: 'medium' });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as JobView;
}

async function answersAgain(through: VidvarProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await through.api('/api/jobs')).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${through.url} still refuses after Redis came back`);
}

const startedBy = (jobId: string) => workerThatStarted(workers, jobId);

describe('API and workers on several processes over Redis', () => {
  it('delivers the webhook of a batch once, whichever API process took it, and both show it', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const res = await api(1).postJob([clip({ width: 180, height: 320, duration: 2 })], {
        count: '2',
        intensity: 'subtle',
        webhookUrl: receiver.url,
      });
      expect(res.status).toBe(201);
      const job = (await res.json()) as JobView;
      expect((await waitForJob(api(0), job.id)).status).toBe('done');
      await receiver.waitFor(1);
      // Both API processes run a dispatcher: a second send would arrive within this wait.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(receiver.received).toHaveLength(1);
      const seen = (await (await api(0).api(`/api/jobs/${job.id}`)).json()) as JobView;
      expect(seen.webhook?.deliveries.map((d) => d.state)).toEqual(['delivered']);
    } finally {
      await receiver.close();
    }
  }, 120_000);

  it('runs batches sent to either API on both workers, with every output valid and the ZIP complete', async () => {
    const a = clip({ width: 320, height: 568, duration: 6 });
    const b = clip({ width: 320, height: 180, duration: 2, fps: 25 });
    const first = await createJob(api(0), [a], 3);
    // The second API streams the events of a job the first one created, as a worker renders it.
    const events = await api(1).api(`/api/jobs/${first.id}/events`);
    expect(events.status).toBe(200);
    const second = await createJob(api(1), [b], 3);
    const seen: string[] = [];
    for await (const view of jobEvents(events.body as AsyncIterable<Uint8Array>)) {
      seen.push(view.status);
      if (view.status === 'done' || view.status === 'failed') break;
    }
    expect(seen).toContain('running');
    expect(seen.at(-1)).toBe('done');

    const done = await waitForJob(api(0), second.id);
    expect(done.status).toBe('done');
    // Each worker renders one batch at a time: the two batches ran on the two workers.
    expect(startedBy(first.id)).toBeDefined();
    expect(startedBy(second.id)).toBeDefined();
    expect(startedBy(first.id)).not.toBe(startedBy(second.id));

    for (const job of [first, second]) {
      const zip = await api(1).api(`/api/jobs/${job.id}/download`);
      expect(zip.status).toBe(200);
      const file = path.join(dataDir, `${job.id}.zip`);
      writeFileSync(file, Buffer.from(await zip.arrayBuffer()));
      const { dir, files } = extractZip(file);
      const videos = files.filter((f) => f.endsWith('.mp4'));
      expect(videos).toHaveLength(3);
      for (const video of videos) {
        const facts = probeVideo(path.join(dir, video));
        expect(facts.video).toBe('h264');
        expect(facts.durationSec).toBeGreaterThan(1);
      }
      expect(files).toContain('manifest.json');
      rmSync(dir, { recursive: true, force: true });
    }
    // Both APIs list the same batches: one record, read by every process.
    const lists = await Promise.all([0, 1].map(async (i) => (await api(i as 0 | 1).api('/api/jobs')).json()));
    const ids = lists.map((list) => (list as { jobs: JobView[] }).jobs.map((j) => j.id).sort());
    expect(ids[0]).toEqual(ids[1]);
  }, 180_000);

  it('hands the job of a worker killed mid-render to the other, which renders only what was cut short', async () => {
    const source = clip({ width: 320, height: 568, duration: 8 });
    const job = await createJob(api(0), [source], 8);
    await killWorkerMidRender({
      through: api(0),
      other: api(1),
      workers,
      redisUrl: redis.url,
      jobId: job.id,
    });
    workers.push(await startWorker());
  }, 240_000);

  it('loses no job while Redis is down: writes answer 503 with Retry-After, and all recovers by itself', async () => {
    const source = clip({ width: 180, height: 320, duration: 3 });
    const job = await createJob(api(1), [source], 4);
    await waitForJob(api(1), job.id, (j) => j.status === 'running');

    await redis.kill();
    const refused = await api(0).postJob([source], { count: '2', intensity: 'subtle' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { code: string }).code).toBe('unavailable');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await redis.start();
    // Nobody restarts the API: it answers again once its connection is back.
    await answersAgain(api(0));
    await answersAgain(api(1));

    const done = await waitForJob(api(0), job.id, undefined, 150_000);
    expect(done.status).toBe('done');
    expect(done.outputs.every((o) => o.status === 'done')).toBe(true);
    const again = await createJob(api(0), [source], 1);
    expect((await waitForJob(api(1), again.id)).status).toBe('done');
    const listed = ((await (await api(1).api('/api/jobs')).json()) as { jobs: JobView[] }).jobs.map(
      (j) => j.id,
    );
    expect(listed).toEqual(expect.arrayContaining([job.id, again.id]));
  }, 240_000);

  it('queues again, when an API process starts, a job the records hold but the queue lost', async () => {
    for (const worker of workers.splice(0)) await worker.kill();
    const job = await createJob(api(0), [clip({ width: 180, height: 320, duration: 2 })], 1);
    // The queue forgets it (say its tries ran out while workers kept being stopped): only the record is left.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(RENDER_QUEUE, { connection, prefix: 'vidvar' });
    await queue.obliterate({ force: true });
    await queue.close();
    await connection.quit();
    workers.push(await startWorker());
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await waitForJob(api(0), job.id, () => true)).status).toBe('queued');

    const restarted = await startVidvar(dataDir, { env: { ...shared(), WORKER_CONCURRENCY: '0' } });
    apis.push(restarted);
    expect((await waitForJob(api(0), job.id)).status).toBe('done');
  }, 120_000);

  it('ends a SIGTERM of an API process while Redis is away, within its grace and the close time', async () => {
    const extra = await startVidvar(dataDir, {
      env: { ...shared(), WORKER_CONCURRENCY: '0', SHUTDOWN_GRACE_SECONDS: '1' },
    });
    apis.push(extra);
    await redis.kill();
    const signalled = Date.now();
    const exit = await extra.terminate();
    expect(Date.now() - signalled).toBeLessThan(20_000);
    expect(exit.signal).toBeNull();
    await redis.start();
  }, 60_000);
});
