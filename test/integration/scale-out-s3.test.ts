import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { extractZip, probeVideo } from '../e2e/zip-check.js';
import { clip } from '../support/clips.js';
import { waitForJob } from '../support/http-client.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { startS3Server, type TestS3Server } from '../support/s3-server.js';
import { startVidvar, type VidvarProcess } from '../support/server-process.js';
import { killWorkerMidRender, workerThatStarted } from '../support/worker-kill.js';

/**
 * Several machines for real: two API processes (`vidvar serve`, rendering nothing) and two
 * `vidvar worker`s, each with a data folder of its own, as on separate machines. They share only a
 * real redis-server and an S3 bucket (the test S3 server), both started here: a file one process
 * wrote reaches another only through the bucket.
 */
let redis: RedisServer;
let s3: TestS3Server;
let scratch: string;
let apis: VidvarProcess[];
let workers: VidvarProcess[];

const shared = () => ({
  ...s3.env,
  REDIS_URL: redis.url,
  // A worker that dies loses its jobs to another after 3 s (30 s by default).
  WORKER_LOCK_SECONDS: '3',
  OUTPUT_MAX_SIDE: '320',
  FFMPEG_PROCESSES: '1',
  X264_PRESET: 'ultrafast',
});

/** A machine of its own: a fresh data folder nobody else sees. */
const ownFolder = () => mkdtempSync(path.join(os.tmpdir(), 'vidvar-machine-'));
const startWorker = () =>
  startVidvar(ownFolder(), { command: 'worker', env: shared(), ownProcessGroup: true });

beforeAll(async () => {
  redis = await startRedisServer();
  s3 = await startS3Server();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'vidvar-scale-s3-'));
  apis = await Promise.all(
    [0, 1].map(() => startVidvar(ownFolder(), { env: { ...shared(), WORKER_CONCURRENCY: '0' } })),
  );
  workers = await Promise.all([startWorker(), startWorker()]);
  const cookie = await (apis[0] as VidvarProcess).signIn();
  (apis[1] as VidvarProcess).cookie = cookie;
}, 120_000);

afterAll(async () => {
  for (const proc of [...(apis ?? []), ...(workers ?? [])]) {
    await proc.kill();
    rmSync(proc.dataDir, { recursive: true, force: true });
  }
  await redis?.close();
  await s3?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const api = (i: 0 | 1) => apis[i] as VidvarProcess;

async function createJob(through: VidvarProcess, files: string[], count: number): Promise<JobView> {
  const res = await through.postJob(files, { count: String(count), intensity: 'medium' });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as JobView;
}

/** Source and output files in a process's data folder (its cache), relative to it. */
function restingFilesIn(proc: VidvarProcess): string[] {
  return readdirSync(proc.dataDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(src|mp4|jpg)$/.test(entry.name))
    .map((entry) => path.relative(proc.dataDir, path.join(entry.parentPath, entry.name)));
}

describe('API and workers on machines of their own, sharing Redis and a bucket', () => {
  it('renders a batch sent to one API, and the other serves every video and the whole ZIP', async () => {
    const job = await createJob(api(0), [clip({ width: 180, height: 320, duration: 2 })], 3);
    const done = await waitForJob(api(1), job.id);
    expect(done.status).toBe('done');
    expect(workerThatStarted(workers, job.id)).toBeDefined();

    for (const output of done.outputs) {
      // The other API has never seen the file: it sends a link to the bucket.
      const res = await api(1).api(`/api/jobs/${job.id}/outputs/${output.id}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const link = res.headers.get('location') ?? '';
      expect(new URL(link).origin).toBe(s3.endpoint);
      const video = await fetch(link);
      expect(video.status).toBe(200);
      const file = path.join(scratch, `${output.id}.mp4`);
      writeFileSync(file, Buffer.from(await video.arrayBuffer()));
      const facts = probeVideo(file);
      expect(facts.video).toBe('h264');
      expect(facts.durationSec).toBeGreaterThan(1);
    }

    const zip = await api(1).api(`/api/jobs/${job.id}/download`);
    expect(zip.status).toBe(200);
    const zipFile = path.join(scratch, `${job.id}.zip`);
    writeFileSync(zipFile, Buffer.from(await zip.arrayBuffer()));
    execFileSync('unzip', ['-tq', zipFile]);
    const { dir, files } = extractZip(zipFile);
    expect(files.filter((f) => f.endsWith('.mp4'))).toHaveLength(3);
    expect(files).toContain('manifest.json');
    rmSync(dir, { recursive: true, force: true });

    // Every file rests in the bucket; no machine keeps a copy once its part is done.
    for (const proc of [...apis, ...workers]) expect(restingFilesIn(proc)).toEqual([]);
  }, 180_000);

  it('hands the job of a worker killed mid-render to the other, which renders only what was cut short', async () => {
    const job = await createJob(api(0), [clip({ width: 320, height: 568, duration: 8 })], 8);
    const { survivor, victim } = await killWorkerMidRender({
      through: api(0),
      other: api(1),
      workers,
      redisUrl: redis.url,
      jobId: job.id,
    });
    // The survivor had the source only from the bucket, and kept nothing of the batch once done.
    expect(restingFilesIn(survivor)).toEqual([]);

    const zip = await api(1).api(`/api/jobs/${job.id}/download`);
    const zipFile = path.join(scratch, `${job.id}.zip`);
    writeFileSync(zipFile, Buffer.from(await zip.arrayBuffer()));
    const { dir, files } = extractZip(zipFile);
    expect(files.filter((f) => f.endsWith('.mp4'))).toHaveLength(8);
    for (const video of files.filter((f) => f.endsWith('.mp4'))) {
      expect(probeVideo(path.join(dir, video)).video).toBe('h264');
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(victim.dataDir, { recursive: true, force: true });
    workers.push(await startWorker());
  }, 240_000);
});
