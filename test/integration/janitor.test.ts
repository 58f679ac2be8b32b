import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/jobs/db.js';
import { SessionStore } from '../../src/jobs/session-store.js';
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.js';
import type { JobDetail, JobStatus, SyncJobStore } from '../../src/jobs/types.js';
import { createStorageBudget, StorageBudget } from '../../src/storage/disk-space.js';
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
import { fakeMedia } from '../support/fake-media.js';
import { jobSpec, newId } from '../support/job-spec.js';

const MB = 1024 * 1024;
const HOUR = 3_600_000;

const media = fakeMedia({ width: 320, height: 568, durationSec: 2 });

let layout: DataLayout;
let db: Db;
let store: SyncJobStore;
let logs: Array<Record<string, unknown>>;

beforeEach(() => {
  layout = dataLayout(mkdtempSync(path.join(os.tmpdir(), 'vidvar-janitor-')));
  for (const dir of [layout.uploads, layout.tus, layout.work, layout.outputs])
    mkdirSync(dir, { recursive: true });
  db = openDatabase(layout.database);
  store = new SqliteJobStore(db);
  logs = [];
});

afterEach(() => {
  db.close();
  rmSync(layout.root, { recursive: true, force: true });
});

function janitor(overrides: Partial<JanitorDeps> = {}) {
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const budget = new StorageBudget({ layout, budgetBytes: 1024 * MB, cacheMs: 0 });
  return createJanitor({ store, layout, budget, logger, intervalMs: 60_000, ...overrides });
}

function write(file: string, bytes = 1000, ageMs = 0): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, Buffer.alloc(bytes));
  age(file, ageMs);
  return file;
}

function age(file: string, ageMs: number): void {
  const at = new Date(Date.now() - ageMs);
  utimesSync(file, at, at);
}

/** A job in a given state with its source file and one output (and thumbnail) on disk. */
function jobWith(status: JobStatus, opts: { expiresAt?: number; finishedAt?: number; bytes?: number } = {}) {
  const job = store.createJob(jobSpec({ count: 1, expiresAt: opts.expiresAt }));
  const sourceId = job.sources[0]?.id as string;
  const outputId = job.outputs[0]?.id as string;
  if (status !== 'queued') store.setJobStatus(job.id, status, opts.finishedAt ?? Date.now());
  write(sourcePath(layout, sourceId), 1000, 2 * HOUR);
  write(outputPath(layout, job.id, outputId), opts.bytes ?? 1000, 2 * HOUR);
  write(thumbnailPath(layout, job.id, outputId), 100, 2 * HOUR);
  age(jobOutputDir(layout, job.id), 2 * HOUR);
  return store.getJob(job.id) as JobDetail;
}

const filesOf = (job: JobDetail) => [
  sourcePath(layout, job.sources[0]?.id as string),
  outputPath(layout, job.id, job.outputs[0]?.id as string),
];

describe('janitor', () => {
  it('deletes expired finished jobs with their files and never touches queued or running ones', async () => {
    const past = Date.now() - 1;
    const expired = jobWith('failed', { expiresAt: past });
    const queued = jobWith('queued', { expiresAt: past });
    const running = jobWith('running', { expiresAt: past });
    const fresh = jobWith('done');

    const report = await janitor().runOnce();

    expect(report.expiredJobs).toEqual([expired.id]);
    expect(store.getJob(expired.id)).toBeNull();
    expect(filesOf(expired).map(existsSync)).toEqual([false, false]);
    expect(existsSync(jobOutputDir(layout, expired.id))).toBe(false);
    for (const kept of [queued, running, fresh]) {
      expect(store.getJob(kept.id)).not.toBeNull();
      expect(filesOf(kept).map(existsSync)).toEqual([true, true]);
    }
    const deleted = logs
      .filter((l) => l.event === 'file_deleted' && l.jobId === expired.id)
      .map((l) => l.path);
    expect(deleted.sort()).toEqual(
      [
        `outputs/${expired.id}/${expired.outputs[0]?.id}.mp4`,
        `outputs/${expired.id}/${expired.outputs[0]?.id}.jpg`,
        `uploads/${expired.sources[0]?.id}.src`,
      ].sort(),
    );
  });

  it('removes files no row knows about once past the grace period, stale tus uploads and unused uploads', async () => {
    const running = jobWith('running');
    const done = jobWith('done');
    const upload = { id: newId('src'), name: 'b.mp4', sizeBytes: 10, media, createdAt: Date.now() };
    const oldUpload = { ...upload, id: newId('src'), createdAt: Date.now() - 25 * HOUR };
    store.addUpload(upload);
    store.addUpload(oldUpload);
    const keep = [
      write(sourcePath(layout, upload.id), 1000, 2 * HOUR),
      write(path.join(layout.uploads, 'arriving.part'), 1000, 10 * 60_000),
      write(path.join(layout.tus, 'resumable-1'), 1000, 30 * 60_000),
      write(path.join(layout.work, `${running.outputs[0]?.id}.mp4`), 1000, 2 * HOUR),
      ...filesOf(running),
      ...filesOf(done),
      // The still of a finished job's original, shown beside its variations, outlives the source.
      write(sourceStillPath(layout, done.id, done.sources[0]?.id as string), 1000, 2 * HOUR),
    ];
    const gone = [
      write(sourcePath(layout, oldUpload.id), 1000, 2 * HOUR),
      write(path.join(layout.uploads, `${newId('src')}.src`), 1000, 2 * HOUR),
      write(path.join(layout.tus, 'resumable-2'), 1000, 25 * HOUR),
      write(path.join(layout.tus, 'resumable-2.json'), 100, 25 * HOUR),
      write(path.join(layout.work, `${newId('out')}.mp4`), 1000, 2 * HOUR),
      write(path.join(jobOutputDir(layout, done.id), 'stray.tmp'), 1000, 2 * HOUR),
      write(path.join(layout.outputs, newId('job'), 'x.mp4'), 1000, 2 * HOUR),
    ];
    age(path.dirname(gone[6] as string), 2 * HOUR);

    const sessions = new SessionStore(db);
    sessions.createSession(Date.now() - 2 * HOUR, HOUR);
    const live = sessions.createSession(Date.now(), HOUR);

    const report = await janitor({ sessions }).runOnce();

    expect(keep.filter((file) => !existsSync(file))).toEqual([]);
    expect(gone.filter((file) => existsSync(file))).toEqual([]);
    expect(existsSync(path.dirname(gone[6] as string))).toBe(false);
    expect(report.staleUploads).toEqual([oldUpload.id]);
    expect(store.listUploads().map((u) => u.id)).toEqual([upload.id]);
    expect(report.orphans).toHaveLength(6);
    expect(report.expiredSessions).toBe(1);
    expect(sessions.getSession(live.id, Date.now())).not.toBeNull();
  });

  it('above the high-water mark evicts the oldest finished jobs until under the low-water mark', async () => {
    const t = Date.now() - 10 * HOUR;
    const running = jobWith('running', { bytes: 2 * MB });
    const newest = jobWith('done', { finishedAt: t + 3000, bytes: 2 * MB });
    const oldest = jobWith('failed', { finishedAt: t + 1000, bytes: 2 * MB });
    const middle = jobWith('canceled', { finishedAt: t + 2000, bytes: 2 * MB });
    store.checkpoint();

    // A budget such that removing one job leaves usage above 60%, removing two brings it below.
    const used = (await createStorageBudget({ layout, budgetBytes: 1 })).usedBytes();
    const budget = await createStorageBudget({
      layout,
      budgetBytes: Math.round((used - 3 * MB) / 0.6),
      cacheMs: 0,
    });
    expect(budget.usageFraction()).toBeGreaterThan(0.8);
    const sweeper = janitor({ budget });

    const report = await sweeper.runOnce();
    expect(report.evictedJobs).toEqual([oldest.id, middle.id]);
    expect(budget.usageFraction()).toBeLessThanOrEqual(0.6);
    expect(store.getJob(newest.id)).not.toBeNull();
    expect(filesOf(running).map(existsSync)).toEqual([true, true]);
    expect((await sweeper.runOnce()).evictedJobs).toEqual([]);
  });

  it('never runs two passes at once', async () => {
    const orphan = write(path.join(layout.work, 'leftover.mp4'), 1000, 2 * HOUR);
    const sweeper = janitor();
    const first = sweeper.runOnce();
    const second = sweeper.runOnce();
    expect(second).toBe(first);
    expect((await first).orphans).toEqual(['work/leftover.mp4']);
    expect(existsSync(orphan)).toBe(false);
    expect(logs.filter((l) => l.event === 'janitor_pass')).toHaveLength(1);
    const third = sweeper.runOnce();
    expect(third).not.toBe(first);
    await third;
  });

  it('runs on its interval once started, until stopped', async () => {
    const orphan = write(path.join(layout.work, 'leftover.mp4'), 1000, 2 * HOUR);
    const sweeper = janitor({ intervalMs: 10 });
    sweeper.start();
    while (existsSync(orphan)) await new Promise((resolve) => setTimeout(resolve, 10));
    await sweeper.stop();
    const passes = logs.filter((l) => l.event === 'janitor_pass').length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logs.filter((l) => l.event === 'janitor_pass')).toHaveLength(passes);
  });

  it('measures age with its injected clock', async () => {
    const orphan = write(path.join(layout.uploads, 'young.src'), 1000);
    await janitor().runOnce();
    expect(existsSync(orphan)).toBe(true);
    await janitor({ clock: () => Date.now() + 2 * HOUR }).runOnce();
    expect(existsSync(orphan)).toBe(false);
  });
});
