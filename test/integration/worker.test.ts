import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/jobs/db.js';
import { JobEvents } from '../../src/jobs/job-events.js';
import { recoverAtStartup } from '../../src/jobs/recovery.js';
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.js';
import type { JobDetail, JobStatus, SyncJobStore } from '../../src/jobs/types.js';
import { createWorker, type WorkerDeps } from '../../src/jobs/worker.js';
import { admitMedia } from '../../src/media/admission/admission.js';
import { FfmpegError } from '../../src/media/ffmpeg/ffmpeg-error.js';
import type { EngineOptions } from '../../src/media/options.js';
import { engineOptions } from '../../src/media/options.js';
import { planJob } from '../../src/media/plan/planner.js';
import type { renderVariations } from '../../src/media/render/render.js';
import type { RenderResult } from '../../src/media/render/render-types.js';
import type { Intensity, MediaInfo, VariationPlan } from '../../src/media/types.js';
import {
  type DataLayout,
  dataLayout,
  outputPath,
  sourcePath,
  thumbnailPath,
} from '../../src/storage/layout.js';

import { clip } from '../support/clips.js';
import { distinctRecord } from '../support/distinctness.js';
import { fakeMedia } from '../support/fake-media.js';
import { jobSpec } from '../support/job-spec.js';

type Render = typeof renderVariations;
type RenderRequest = Parameters<Render>[0];

const silentSource = fakeMedia({ width: 320, height: 568, durationSec: 2, audioIndex: null });

interface Harness {
  layout: DataLayout;
  db: Db;
  store: SyncJobStore;
  events: JobEvents;
  logs: Array<Record<string, unknown>>;
  deps(render?: Render): WorkerDeps;
  addJob(opts?: { count?: number; media?: MediaInfo; plans?: VariationPlan[]; file?: string }): JobDetail;
  /** Admits a real clip and queues a job planned for it, as the job service does. */
  addClipJob(
    file: string,
    plan: { seed: string; intensity: Intensity; count: number },
    engine?: EngineOptions,
  ): Promise<JobDetail>;
  waitForStatus(jobId: string, status: JobStatus): Promise<JobDetail>;
  waitUntil(jobId: string, ready: (job: JobDetail) => boolean): Promise<JobDetail>;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function harness(): Harness {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vidvar-worker-'));
  const layout = dataLayout(root);
  for (const dir of [layout.uploads, layout.work, layout.outputs]) mkdirSync(dir, { recursive: true });
  const db = openDatabase(layout.database);
  const store = new SqliteJobStore(db);
  const events = new JobEvents();
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  cleanups.push(() => {
    db.close();
    rmSync(root, { recursive: true, force: true });
  });

  function waitUntil(jobId: string, ready: (job: JobDetail) => boolean): Promise<JobDetail> {
    return new Promise((resolve) => {
      const check = () => {
        const job = store.getJob(jobId);
        if (job && ready(job)) {
          unsubscribe();
          resolve(job);
        }
      };
      const unsubscribe = events.subscribe(jobId, check);
      check();
    });
  }

  const deps = (render?: Render): WorkerDeps => ({
    store,
    events,
    layout,
    logger,
    engine: engineOptions({ threads: 1, preset: 'ultrafast', maxLongSide: 320 }),
    ...(render ? { render } : {}),
  });

  const addJob: Harness['addJob'] = ({ count, media = silentSource, plans, file } = {}) => {
    const spec = jobSpec({ count, media, plans, seed: 'worker-test' });
    const sourceId = spec.sources[0]?.id as string;
    if (file) copyFileSync(file, sourcePath(layout, sourceId));
    else writeFileSync(sourcePath(layout, sourceId), 'source bytes');
    return store.createJob(spec);
  };

  const addClipJob: Harness['addClipJob'] = async (file, plan, engine = deps().engine) => {
    const media = await admitMedia(file, path.basename(file), engine);
    const [plans] = planJob({ ...plan, sources: [media], preset: engine.preset });
    return addJob({ media, plans, file });
  };

  return {
    layout,
    db,
    store,
    events,
    logs,
    deps,
    addJob,
    addClipJob,
    waitForStatus: (jobId, status) => waitUntil(jobId, (job) => job.status === status),
    waitUntil,
  };
}

/**
 * Stands in for the engine where the behaviour under test is the worker's: writes small files where
 * render.ts would, can fail chosen outputs, and can hang on one until aborted, as FFmpeg would.
 */
function fakeRender(opts: { fail?: Set<string>; hangOn?: number; calls?: RenderRequest[] } = {}): Render {
  return async (req) => {
    opts.calls?.push(req);
    const results: RenderResult[] = [];
    for (const [position, target] of req.targets.entries()) {
      req.onProgress?.(target.outputId, 0.5);
      if (position === opts.hangOn) {
        await new Promise((_, reject) => {
          const abort = () => reject(new FfmpegError('ffmpeg_aborted', 'FFmpeg was stopped.', ''));
          if (req.signal?.aborted) abort();
          req.signal?.addEventListener('abort', abort);
        });
      }
      let result: RenderResult;
      if (opts.fail?.has(target.outputId)) {
        const message = 'FFmpeg could not render this variation.';
        result = { outputId: target.outputId, ok: false, code: 'render_failed', message, detail: 'exit 1' };
      } else {
        writeFileSync(target.finalPath, 'rendered mp4');
        if (target.thumbnailPath) writeFileSync(target.thumbnailPath, 'jpeg');
        const facts = {
          sizeBytes: 12,
          durationSec: 2,
          width: 320,
          height: 568,
          distinctness: distinctRecord(0.3),
        };
        result = { outputId: target.outputId, ok: true, plan: target.plan, ...facts };
      }
      req.onOutput?.(result);
      results.push(result);
    }
    return results;
  };
}

describe('worker', () => {
  it('renders every output into outputs/, records it, and deletes the source once all exist', async () => {
    const h = harness();
    const calls: RenderRequest[] = [];
    const job = h.addJob({ count: 2 });
    const source = job.sources[0]?.id as string;
    const worker = createWorker(h.deps(fakeRender({ calls })));
    worker.start();
    const done = await h.waitForStatus(job.id, 'done');
    expect(await worker.stop({ graceMs: 1000 })).toBe('idle');

    expect(done.progress).toBe(1);
    expect(done.outputs.map((o) => [o.status, o.attempts, o.sizeBytes])).toEqual([
      ['done', 1, 12],
      ['done', 1, 12],
    ]);
    for (const output of done.outputs) {
      expect(existsSync(outputPath(h.layout, job.id, output.id))).toBe(true);
      expect(existsSync(thumbnailPath(h.layout, job.id, output.id))).toBe(true);
    }
    expect(done.sources[0]?.deleted).toBe(true);
    expect(existsSync(sourcePath(h.layout, source))).toBe(false);
    // FFmpeg's scratch space is the data volume, never /tmp.
    expect(calls[0]?.options.tmpDir).toBe(h.layout.work);

    const deleted = h.logs.filter((l) => l.event === 'file_deleted');
    expect(deleted).toEqual([expect.objectContaining({ jobId: job.id, path: `uploads/${source}.src` })]);
    expect(h.logs.filter((l) => l.event === 'file_created')).toHaveLength(4);
    const disk = h.logs.filter((l) => l.event === 'job_started' || l.event === 'job_ended');
    expect(disk.map((l) => typeof (l.disk as { freeBytes: number }).freeBytes)).toEqual(['number', 'number']);
  });

  it('writes progress at most once a second of its clock, however often FFmpeg reports', async () => {
    const h = harness();
    const job = h.addJob({ count: 2 });
    let now = 1_000_000;
    const seen: number[] = [];
    const chatty: Render = async (req) => {
      const first = req.targets[0]?.outputId as string;
      // Writes are queued in the order reported and land a moment later: each read waits for that moment.
      const landed = () => new Promise((resolve) => setImmediate(resolve));
      for (let i = 1; i <= 100; i++) req.onProgress?.(first, i / 100);
      await landed();
      seen.push(h.store.getJob(job.id)?.progress ?? -1);
      now += 1000;
      req.onProgress?.(first, 1);
      await landed();
      seen.push(h.store.getJob(job.id)?.progress ?? -1);
      return fakeRender()(req);
    };
    const worker = createWorker({ ...h.deps(chatty), clock: () => now });
    worker.start();
    await h.waitForStatus(job.id, 'done');
    await worker.stop({ graceMs: 1000 });
    // Two outputs: the first report (1% of one output) is written, the next 99 within the same second are not.
    expect(seen).toEqual([0.005, 0.5]);
  });

  it('fails the job when one output fails, keeps the sibling, and a retry renders only the failed one', async () => {
    const h = harness();
    const job = h.addJob({ count: 2 });
    const [good, bad] = job.outputs.map((o) => o.id) as [string, string];
    const calls: RenderRequest[] = [];
    const fail = new Set([bad]);
    const worker = createWorker(h.deps(fakeRender({ fail, calls })));
    worker.start();
    const failed = await h.waitForStatus(job.id, 'failed');
    expect(failed.error).toBe('1 of 2 variations failed.');
    expect(failed.outputs.map((o) => o.status)).toEqual(['done', 'failed']);
    expect(existsSync(outputPath(h.layout, job.id, good))).toBe(true);
    // The source stays for the retry.
    expect(failed.sources[0]?.deleted).toBe(false);

    fail.clear();
    h.store.retryJob(job.id, Date.now());
    worker.wake();
    const retried = await h.waitForStatus(job.id, 'done');
    await worker.stop({ graceMs: 1000 });
    expect(calls.map((c) => c.targets.map((t) => t.outputId))).toEqual([[good, bad], [bad]]);
    expect(retried.outputs.map((o) => o.attempts)).toEqual([1, 2]);
    expect(retried.sources[0]?.deleted).toBe(true);
  });

  it('cancels a running job by aborting its render, and a queued one before it starts', async () => {
    const h = harness();
    const running = h.addJob({ count: 2 });
    const calls: RenderRequest[] = [];
    const worker = createWorker(h.deps(fakeRender({ hangOn: 0, calls })));
    worker.start();
    await h.waitUntil(running.id, (job) => job.outputs[0]?.status === 'running');
    const queued = h.addJob({ count: 1 });
    await worker.cancelJob(running.id);

    expect(calls[0]?.signal?.aborted).toBe(true);
    const canceled = h.store.getJob(running.id);
    expect(canceled?.status).toBe('canceled');
    expect(canceled?.outputs.map((o) => o.status)).toEqual(['canceled', 'canceled']);
    expect(worker.activeJobIds()).not.toContain(running.id);

    await worker.stop({ graceMs: 0 });
    const idle = createWorker(h.deps(fakeRender()));
    await idle.cancelJob(queued.id);
    expect(h.store.getJob(queued.id)?.status).toBe('canceled');
  });

  it('sleeps until woken: a freed slot starts the next job, a created one waits for wake(), never for a poll', async () => {
    const h = harness();
    const first = h.addJob({ count: 1 });
    const second = h.addJob({ count: 1 });
    const worker = createWorker({ ...h.deps(fakeRender()), concurrency: 1 });
    worker.start();
    // The second job starts when the first one's slot frees, with no wake() from outside.
    await h.waitForStatus(first.id, 'done');
    await h.waitForStatus(second.id, 'done');
    // Let the worker see its slot freed and go back to sleep with nothing queued.
    while (worker.activeJobIds().length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 10));

    const third = h.addJob({ count: 1 });
    // A polling worker (it used to look every second) would have claimed it by now.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(h.store.getJob(third.id)?.status).toBe('queued');
    worker.wake();
    await h.waitForStatus(third.id, 'done');
    expect(await worker.stop({ graceMs: 1000 })).toBe('idle');
  });

  it('on shutdown lets a job finish within the grace period', async () => {
    const h = harness();
    const job = h.addJob({ count: 1 });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: Render = async (req) => {
      req.onProgress?.(req.targets[0]?.outputId as string, 0.1);
      await gate;
      return fakeRender()(req);
    };
    const worker = createWorker(h.deps(slow));
    expect(await createWorker(h.deps(slow)).stop({ graceMs: 0 })).toBe('idle');
    worker.start();
    await h.waitUntil(job.id, (j) => j.outputs[0]?.status === 'running');
    const stopping = worker.stop({ graceMs: 60_000 });
    release();
    expect(await stopping).toBe('finished');
    expect(h.store.getJob(job.id)?.status).toBe('done');
  });

  it('on shutdown past the grace period marks the job interrupted, and resumes it without redoing finished outputs', async () => {
    const h = harness();
    const job = h.addJob({ count: 2 });
    const [first, second] = job.outputs.map((o) => o.id) as [string, string];
    const worker = createWorker(h.deps(fakeRender({ hangOn: 1 })));
    worker.start();
    await h.waitUntil(job.id, (j) => j.outputs[0]?.status === 'done' && j.outputs[1]?.status === 'running');
    expect(await worker.stop({ graceMs: 20 })).toBe('aborted');
    const interrupted = h.store.getJob(job.id);
    expect(interrupted?.status).toBe('interrupted');
    expect(interrupted?.outputs.map((o) => o.status)).toEqual(['done', 'queued']);

    await recoverAtStartup({
      store: h.store,
      layout: h.layout,
      logger: pino({ level: 'silent' }),
      now: Date.now(),
    });
    const calls: RenderRequest[] = [];
    const next = createWorker(h.deps(fakeRender({ calls })));
    next.start();
    const done = await h.waitForStatus(job.id, 'done');
    await next.stop({ graceMs: 1000 });
    expect(calls.map((c) => c.targets.map((t) => t.outputId))).toEqual([[second]]);
    expect(done.outputs.map((o) => [o.id, o.attempts])).toEqual([
      [first, 1],
      [second, 2],
    ]);
  });
});

describe('start-up recovery', () => {
  it('requeues cut-short work, re-renders lost files it can, and empties work/', async () => {
    const h = harness();
    const job = h.addJob({ count: 3 });
    const [kept, lost, cut] = job.outputs.map((o) => o.id) as [string, string, string];
    const facts = { sizeBytes: 12, durationSec: 2, width: 320, height: 568, distinctness: distinctRecord() };
    h.store.claimNextJob(Date.now());
    mkdirSync(path.dirname(outputPath(h.layout, job.id, kept)), { recursive: true });
    for (const id of [kept, lost]) {
      h.store.setOutputRunning(id, Date.now());
      h.store.completeOutput(id, facts);
    }
    writeFileSync(outputPath(h.layout, job.id, kept), 'complete');
    writeFileSync(outputPath(h.layout, job.id, lost), ''); // renamed but never flushed: empty
    h.store.setOutputRunning(cut, Date.now());
    writeFileSync(path.join(h.layout.work, `${cut}.mp4`), 'half an encode');

    // A finished job whose file vanished after its source was deleted cannot be redone.
    const gone = h.addJob({ count: 1 });
    const goneOutput = gone.outputs[0]?.id as string;
    h.store.completeOutput(goneOutput, facts);
    h.store.markSourceDeleted(gone.sources[0]?.id as string);
    rmSync(sourcePath(h.layout, gone.sources[0]?.id as string));
    h.store.setJobStatus(gone.id, 'done', Date.now());

    const report = await recoverAtStartup({
      store: h.store,
      layout: h.layout,
      logger: pino({ level: 'silent' }),
      now: 1,
    });
    expect(report).toEqual({
      requeuedJobs: [job.id],
      requeuedOutputs: [lost],
      lostOutputs: [goneOutput],
      removedWorkFiles: 1,
    });
    const after = h.store.getJob(job.id);
    expect(after?.status).toBe('queued');
    expect(after?.outputs.map((o) => o.status)).toEqual(['done', 'queued', 'queued']);
    expect(readdirSync(h.layout.work)).toEqual([]);
    expect(h.store.getJob(gone.id)).toMatchObject({
      status: 'failed',
      error: '1 of 1 variations were lost.',
    });
  });
});

describe('worker with the real engine', () => {
  it('renders two real variations of a clip and frees its source', async () => {
    const h = harness();
    const file = clip({ width: 320, height: 568, duration: 1 });
    const job = await h.addClipJob(file, { seed: 'real', intensity: 'medium', count: 2 });
    const worker = createWorker(h.deps());
    worker.start();
    const done = await h.waitUntil(job.id, (j) => j.status === 'done' || j.status === 'failed');
    await worker.stop({ graceMs: 1000 });

    expect(done.outputs.map((o) => o.error)).toEqual([null, null]);
    expect(done.status).toBe('done');
    for (const output of done.outputs) {
      const size = statSync(outputPath(h.layout, job.id, output.id)).size;
      expect(size).toBe(output.sizeBytes);
      // maxLongSide 320 in these tests: the 320×568 clip comes out 180×320.
      expect(output).toMatchObject({ width: 180, height: 320, attempts: 1 });
      expect(existsSync(thumbnailPath(h.layout, job.id, output.id))).toBe(true);
    }
    expect(existsSync(sourcePath(h.layout, job.sources[0]?.id as string))).toBe(false);
    expect(readdirSync(h.layout.work)).toEqual([]);
  });

  it('on shutdown finishes the encodes that run, starts no other, and leaves the rest queued', async () => {
    const h = harness();
    const file = clip({ width: 320, height: 568, duration: 8, fps: 30 });
    const deps = h.deps();
    // Two processes side by side, one output each: two outputs are running when the stop comes.
    const engine = { ...deps.engine, fanOut: 1, cpus: 2 };
    const job = await h.addClipJob(file, { seed: 'drain', intensity: 'subtle', count: 3 }, engine);
    const worker = createWorker({ ...deps, engine });
    worker.start();
    await h.waitUntil(job.id, (j) => j.outputs[0]?.status === 'running');
    expect(await worker.stop({ graceMs: 60_000 })).toBe('finished');

    const drained = h.store.getJob(job.id);
    expect(drained?.status).toBe('interrupted');
    expect(drained?.outputs.map((o) => [o.status, o.attempts])).toEqual([
      ['done', 1],
      ['done', 1],
      ['queued', 0],
    ]);
    expect(readdirSync(h.layout.work)).toEqual([]);
  });

  it('cancel kills FFmpeg mid-render and leaves no partial files', async () => {
    const h = harness();
    const file = clip({ width: 320, height: 568, duration: 30, fps: 30 });
    const job = await h.addClipJob(file, { seed: 'cancel', intensity: 'subtle', count: 2 });
    const worker = createWorker(h.deps());
    worker.start();
    await h.waitUntil(job.id, (j) => j.outputs.some((o) => o.status === 'running'));
    await worker.cancelJob(job.id);
    await worker.stop({ graceMs: 0 });

    const canceled = h.store.getJob(job.id);
    expect(canceled?.status).toBe('canceled');
    expect(canceled?.outputs.map((o) => o.status)).toEqual(['canceled', 'canceled']);
    expect(readdirSync(h.layout.work)).toEqual([]);
    expect(existsSync(outputPath(h.layout, job.id, job.outputs[0]?.id as string))).toBe(false);
  });
});
