import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/jobs/db.js';
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.js';
import type { JobDetail, JobStatus, SyncJobStore } from '../../src/jobs/types.js';
import { storedBytes } from '../../src/storage/bucket-sweep.js';
import { createStorageBudget, StorageBudget } from '../../src/storage/disk-space.js';
import { createFileAudit } from '../../src/storage/file-audit.js';
import { keyOf } from '../../src/storage/file-store.js';
import { createJanitor, type JanitorDeps } from '../../src/storage/janitor.js';
import {
  type DataLayout,
  dataLayout,
  jobOutputDir,
  outputPath,
  sourcePath,
  sourceStillPath,
  thumbnailPath,
} from '../../src/storage/layout.js';
import { S3FileStore } from '../../src/storage/s3-file-store.js';
import { fakeMedia } from '../support/fake-media.js';
import { jobSpec, newId } from '../support/job-spec.js';
import { startS3Server } from '../support/s3-server.js';

/** The janitor in S3 mode, against the test S3 server: expiry, orphans and the budget apply to the bucket. */
const HOUR = 3_600_000;
const s3 = await startS3Server();
afterAll(() => s3.stop());

let layout: DataLayout;
let db: Db;
let store: SyncJobStore;
let files: S3FileStore;
const silent = pino({ level: 'silent' });

beforeEach(() => {
  layout = dataLayout(mkdtempSync(path.join(os.tmpdir(), 'vidvar-janitor-bucket-')));
  for (const dir of [layout.uploads, layout.tus, layout.work, layout.outputs])
    mkdirSync(dir, { recursive: true });
  db = openDatabase(layout.database);
  store = new SqliteJobStore(db);
  files = new S3FileStore(layout, createFileAudit(layout, silent), {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  });
});

afterEach(async () => {
  for await (const file of files.list('')) await files.remove(file.key);
  for await (const upload of files.unfinishedUploads()) await files.abandonUpload(upload);
  files.close();
  db.close();
  rmSync(layout.root, { recursive: true, force: true });
});

/** Writes the file in the data folder and moves it to the bucket, as a worker or an upload does. */
async function rest(file: string, bytes = 1000): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, Buffer.alloc(bytes));
  const key = keyOf(layout.root, file);
  await files.publish(key);
  return key;
}

async function bucketKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const file of files.list('')) keys.push(file.key);
  return keys.sort();
}

/** A job in a given state with its source, one output, its thumbnail and the source's still in the bucket. */
async function jobWith(
  status: JobStatus,
  opts: { expiresAt?: number; finishedAt?: number; bytes?: number } = {},
) {
  const job = store.createJob(jobSpec({ count: 1, expiresAt: opts.expiresAt }));
  const sourceId = job.sources[0]?.id as string;
  const outputId = job.outputs[0]?.id as string;
  if (status !== 'queued') store.setJobStatus(job.id, status, opts.finishedAt ?? Date.now());
  const keys = [
    await rest(sourcePath(layout, sourceId)),
    await rest(outputPath(layout, job.id, outputId), opts.bytes ?? 1000),
    await rest(thumbnailPath(layout, job.id, outputId), 100),
    await rest(sourceStillPath(layout, job.id, sourceId), 100),
  ];
  return { job: store.getJob(job.id) as JobDetail, keys };
}

/** Begins a multipart upload and sends one part, as a publish or tus does; returns its upload id. */
async function openUpload(Key: string): Promise<string> {
  const Bucket = s3.bucket;
  const { UploadId } = await files.client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  await files.client.send(
    new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.alloc(10) }),
  );
  return UploadId as string;
}

async function openUploads(): Promise<string[]> {
  const ids: string[] = [];
  for await (const upload of files.unfinishedUploads()) ids.push(upload.uploadId);
  return ids.sort();
}

/** Makes an object look last written that long ago (s3rver dates it by its file). */
function ageObject(key: string, ageMs: number): void {
  const at = new Date(Date.now() - ageMs);
  utimesSync(path.join(s3.directory, s3.bucket, `${key}._S3rver_object`), at, at);
}

function janitor(overrides: Partial<JanitorDeps> = {}) {
  const budget = new StorageBudget({ layout, budgetBytes: 1e12, cacheMs: 0 });
  return createJanitor({ store, layout, files, budget, logger: silent, intervalMs: 60_000, ...overrides });
}

describe('the janitor on the bucket', () => {
  it('deletes expired jobs with their objects, and objects no record knows once past the grace', async () => {
    const expired = await jobWith('done', { expiresAt: Date.now() - 1000 });
    const running = await jobWith('running');
    const done = await jobWith('done');
    const upload = {
      id: newId('src'),
      name: 'b.mp4',
      sizeBytes: 10,
      media: fakeMedia({}),
      createdAt: Date.now(),
    };
    store.addUpload(upload);
    const keep = [
      ...running.keys,
      ...done.keys,
      await rest(sourcePath(layout, upload.id)),
      // Stored by a worker just before its record says so: the job still renders.
      await rest(path.join(jobOutputDir(layout, running.job.id), `${newId('out')}.mp4`)),
    ];
    const orphans = [
      await rest(path.join(layout.uploads, `${newId('src')}.src`)),
      await rest(path.join(jobOutputDir(layout, done.job.id), `${newId('out')}.mp4`)),
      await rest(path.join(layout.outputs, newId('job'), 'x.mp4')),
    ];
    // A tus upload that went quiet, kept at the top of the bucket by @tus/s3-store: its record, its
    // incomplete part, and the multipart upload its whole parts go to.
    const tusId = newId('tus');
    const tus = [
      await rest(path.join(layout.root, `${tusId}.info`)),
      await rest(path.join(layout.root, `${tusId}.part`)),
    ];
    const tusParts = await openUpload(tusId);
    // One still arriving though its record is 3 h old: a PATCH of exactly one part writes no object.
    const busyId = newId('tus');
    const busy = await rest(path.join(layout.root, `${busyId}.info`));
    ageObject(busy, 3 * HOUR);
    const busyParts = await openUpload(busyId);
    // A publish a crash cut short.
    const cut = await openUpload(`outputs/${done.job.id}/${newId('out')}.mp4`);

    // Just written: within the grace, unknown objects may still be about to be recorded.
    const now = await janitor().runOnce();
    expect(now.expiredJobs).toEqual([expired.job.id]);
    expect(await bucketKeys()).toEqual([...keep, ...orphans, ...tus, busy].sort());
    expect(await openUploads()).toEqual([tusParts, busyParts, cut].sort());
    expect(now.bytesFreed).toBeGreaterThanOrEqual(2200);

    // Two hours on: past the grace and the tus expiry.
    const later = await janitor({ clock: () => Date.now() + 2 * HOUR }).runOnce();
    expect(await bucketKeys()).toEqual(keep.sort());
    expect(await openUploads()).toEqual([]);
    // (The report also names the emptied folder of the unknown job in the data folder, the cache.)
    expect(later.orphans).toEqual(expect.arrayContaining([...orphans, ...tus]));
    // Two hours on, the busy upload's last part is as old: it goes too.
    expect(later.orphans).toContain(busy);
    expect(later.bytesFreed).toBe(6000);
  });

  it('counts the bucket for the budget, and above the high-water mark evicts the oldest finished jobs', async () => {
    const t = Date.now() - 10 * HOUR;
    const running = await jobWith('running', { bytes: 20_000 });
    const newest = await jobWith('done', { finishedAt: t + 3000, bytes: 20_000 });
    const oldest = await jobWith('failed', { finishedAt: t + 1000, bytes: 20_000 });
    const middle = await jobWith('canceled', { finishedAt: t + 2000, bytes: 20_000 });
    const used = await storedBytes(files);
    expect(used).toBe(4 * 21_200);

    // Measured from the bucket, in the background; removing one job leaves usage above 60 %, two below.
    const budget = await createStorageBudget({
      layout,
      budgetBytes: Math.round((used - 30_000) / 0.6),
      cacheMs: 0,
      measure: () => storedBytes(files),
      volumeBound: false,
    });
    expect(budget.usedBytes()).toBe(used);
    expect(budget.usageFraction()).toBeGreaterThan(0.8);

    const report = await janitor({ budget }).runOnce();
    expect(report.evictedJobs).toEqual([oldest.job.id, middle.job.id]);
    expect(budget.usageFraction()).toBeLessThanOrEqual(0.6);
    expect(await bucketKeys()).toEqual([...running.keys, ...newest.keys].sort());
  });
});
