import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import {
  createProcessSlots,
  type EngineOptions,
  ffmpegVersion,
  placementRecord,
  type RenderResult,
  renderVariations,
  type Ticket,
} from '../media/index.js';
import { diskUsage } from '../storage/disk-space.js';
import { createFileAudit } from '../storage/file-audit.js';
import { type DataLayout, jobOutputDir, outputPath, sourcePath, thumbnailPath } from '../storage/layout.js';
import type { JobEvents } from './job-events.js';
import { type AbortReason, endFinished, endInterrupted } from './job-outcome.js';
import { createJobProgress, type JobProgress } from './job-progress.js';
import { jobRedrawPlanner } from './redraw-planner.js';
import { placementOptions, renderTargets } from './render-targets.js';
import { keepSourceStill } from './source-still.js';
import type { JobDetail, JobStore, SourceRecord } from './types.js';
import { WakeSignal } from './wake-signal.js';
import { WriteChain } from './write-chain.js';

export interface WorkerDeps {
  store: JobStore;
  events: JobEvents;
  layout: DataLayout;
  engine: EngineOptions;
  logger: Logger;
  clock?: () => number;
  /** Jobs rendered at the same time (each may run several FFmpeg encoders). */
  concurrency?: number;
  render?: typeof renderVariations;
}

export type StopOutcome = 'finished' | 'aborted' | 'idle';

export interface Worker {
  start(): void;
  /** Stops claiming; lets running jobs finish within graceMs, else aborts them and marks them interrupted. */
  stop(opts: { graceMs: number }): Promise<StopOutcome>;
  /** Kills the job's FFmpeg runs and marks it canceled; resolves once nothing of it runs any more. */
  cancelJob(jobId: string): Promise<void>;
  /** Look for queued work now: called when a job is created or retried (a freed slot wakes it too). */
  wake(): void;
  activeJobIds(): string[];
}

/** The worker sleeps until woken; this only bounds how long a missed wake-up could leave a job queued. */
const SAFETY_WAKE_MS = 60_000;
/** After the database refused a claim (locked, full), try again soon rather than at the safety timer. */
const CLAIM_RETRY_MS = 1000;
const GENERIC_FAILURE = 'FFmpeg could not render this variation.';

/**
 * The in-process worker: claims the oldest queued job, renders the outputs its rows say are not done,
 * records each as it lands, deletes a source once all its outputs exist, and ends the job done or
 * failed. One AbortController per job: cancel and shutdown both end FFmpeg the same way.
 */
export function createWorker(deps: WorkerDeps): Worker {
  const { store, events, layout, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const concurrency = deps.concurrency ?? 1;
  const render = deps.render ?? renderVariations;
  // FFmpeg's temporary files belong on the data volume, never in /tmp (a RAM disk on Fly.io).
  const engine: EngineOptions = { ...deps.engine, tmpDir: deps.engine.tmpDir ?? layout.work };
  const audit = createFileAudit(layout, logger);
  // Every FFmpeg process of every job takes its cores from here: one slot per core.
  const slots = createProcessSlots(engine.cpus);
  let jobsStarted = 0;
  const active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let running = false;
  let draining = false;
  let loopDone: Promise<void> = Promise.resolve();
  const wakeSignal = new WakeSignal();
  const wake = () => wakeSignal.wake();
  const sleep = (ms: number) => wakeSignal.sleep(ms);

  let claimFailed = false;

  async function claimNext(): Promise<JobDetail | null> {
    try {
      claimFailed = false;
      return await store.claimNextJob(clock());
    } catch (error) {
      // A locked or full database: try again shortly rather than stop working for good.
      claimFailed = true;
      logger.error({ err: error, event: 'claim_failed' }, 'could not claim a job');
      return null;
    }
  }

  async function loop(): Promise<void> {
    while (running) {
      while (running && active.size < concurrency) {
        const job = await claimNext();
        if (!job) break;
        const controller = new AbortController();
        const done = runJob(job, controller.signal).finally(() => {
          active.delete(job.id);
          wake(); // a slot is free
        });
        active.set(job.id, { controller, done });
      }
      await sleep(claimFailed ? CLAIM_RETRY_MS : SAFETY_WAKE_MS);
    }
  }

  async function runJob(job: JobDetail, signal: AbortSignal): Promise<void> {
    const log = logger.child({ jobId: job.id });
    // The build decides the bytes: a job resumed or retried after FFmpeg changed is told apart in the logs.
    const ffmpeg = await ffmpegVersion(engine);
    log.info(
      { event: 'job_started', disk: diskUsage(layout.root), outputs: job.outputs.length, ffmpeg },
      'job started',
    );
    if (ffmpeg !== null) {
      if (job.ffmpeg !== null && job.ffmpeg !== ffmpeg) {
        log.warn(
          { event: 'ffmpeg_changed', was: job.ffmpeg, now: ffmpeg },
          'job resumed on another FFmpeg build',
        );
      }
      await store.recordFfmpegBuild(job.id, ffmpeg);
    }
    events.publish(job.id);
    const writes = new WriteChain((error) =>
      log.error({ err: error, event: 'record_failed' }, 'could not record the render'),
    );
    const progress = createJobProgress(job, { store, events, clock, writes });
    try {
      await mkdir(jobOutputDir(layout, job.id), { recursive: true });
      // Sources render side by side through the worker's process slots: the next source's first
      // process takes a core as soon as one frees up.
      const ticket = ++jobsStarted;
      const sources = await Promise.allSettled(
        job.sources.map((source, i) =>
          renderSource(job, source, signal, { progress, writes }, log, [ticket, i]),
        ),
      );
      await writes.settled();
      const crashed = sources.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (crashed) throw crashed.reason;
      const unfinished = (await store.getJob(job.id))?.outputs.some(
        (o) => o.status === 'queued' || o.status === 'running',
      );
      if (draining && unfinished) await endInterrupted(store, job.id, clock(), 'shutdown', log);
      else await endFinished(store, job.id, clock(), log);
    } catch (error) {
      await writes.settled();
      if (signal.aborted) await endInterrupted(store, job.id, clock(), signal.reason as AbortReason, log);
      else {
        log.error({ err: error, event: 'job_crashed' }, 'job crashed');
        await store.setJobStatus(
          job.id,
          'failed',
          clock(),
          'Something went wrong while rendering this batch.',
        );
      }
    } finally {
      log.info({ event: 'job_ended', disk: diskUsage(layout.root) }, 'job ended');
      events.publish(job.id);
    }
  }

  async function renderSource(
    job: JobDetail,
    source: SourceRecord,
    signal: AbortSignal,
    { progress, writes }: { progress: JobProgress; writes: WriteChain },
    log: Logger,
    ticket: Ticket,
  ): Promise<void> {
    const pending = job.outputs.filter(
      (o) => o.sourceId === source.id && (o.status === 'queued' || o.status === 'running'),
    );
    const inputPath = sourcePath(layout, source.id);
    const recorded = new Set<string>();
    const record = (result: RenderResult) => {
      if (recorded.has(result.outputId)) return;
      recorded.add(result.outputId);
      progress.started(result.outputId);
      if (result.ok) {
        const { outputId, ok: _ok, loudness: _loudness, ...facts } = result;
        const format = pending.find((o) => o.id === outputId)?.format ?? 'source';
        const placement = job.placement
          ? placementRecord(job.placement, format, result, source.media)
          : undefined;
        writes.push(() => store.completeOutput(outputId, { ...facts, ...(placement ? { placement } : {}) }));
        for (const file of [outputPath(layout, job.id, outputId), thumbnailPath(layout, job.id, outputId)]) {
          if (existsSync(file)) audit.created(file, job.id);
        }
        log.info({ event: 'output_done', outputId, sizeBytes: facts.sizeBytes }, 'output done');
      } else {
        writes.push(() => store.failOutput(result.outputId, result.message));
        log.warn({
          event: 'output_failed',
          outputId: result.outputId,
          code: result.code,
          detail: result.detail,
        });
      }
      progress.finished(result.outputId);
    };

    if (pending.length > 0 && (source.deleted || !existsSync(inputPath))) {
      log.error({ event: 'source_missing', sourceId: source.id }, 'source file missing');
      const message = 'The source video is no longer on the server.';
      for (const o of pending)
        record({ outputId: o.id, ok: false, code: 'source_missing', message, detail: inputPath });
    } else if (pending.length > 0) {
      await keepSourceStill({ layout, engine, audit }, job.id, source, log, signal);
      const targets = renderTargets(job, pending, layout);
      try {
        const results = await render({
          inputPath,
          media: source.media,
          targets,
          options: engine,
          ...(await placementOptions(job, source, inputPath, engine, signal)),
          signal,
          onProgress: progress.update,
          onOutput: record,
          shouldStop: () => draining,
          slots,
          ticket,
          replan: jobRedrawPlanner(job, source, engine),
        });
        for (const result of results) record(result);
      } catch (error) {
        if (signal.aborted) throw error;
        log.error({ err: error, event: 'render_crashed', sourceId: source.id }, 'render crashed');
        const detail = error instanceof Error ? error.message : String(error);
        for (const o of pending) {
          record({ outputId: o.id, ok: false, code: 'render_crashed', message: GENERIC_FAILURE, detail });
        }
      }
    }

    await writes.settled();
    const outputs = (await store.getJob(job.id))?.outputs.filter((o) => o.sourceId === source.id) ?? [];
    if (!source.deleted && outputs.length > 0 && outputs.every((o) => o.status === 'done')) {
      // All its outputs exist: the source is the biggest file left, free the disk now.
      audit.remove(inputPath, job.id);
      await store.markSourceDeleted(source.id);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      draining = false;
      loopDone = loop();
    },

    async stop({ graceMs }) {
      running = false;
      // Let the encode that runs now finish, but start no other: the rest resumes after the restart.
      draining = true;
      wake();
      await loopDone;
      if (active.size === 0) return 'idle';
      const all = Promise.all([...active.values()].map((entry) => entry.done));
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        all.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (inTime) return 'finished';
      for (const entry of active.values()) entry.controller.abort('shutdown' satisfies AbortReason);
      await all;
      return 'aborted';
    },

    async cancelJob(jobId) {
      const entry = active.get(jobId);
      if (entry) {
        entry.controller.abort('cancel' satisfies AbortReason);
        await entry.done;
        return;
      }
      const job = await store.getJob(jobId);
      if (job && (job.status === 'queued' || job.status === 'interrupted')) {
        await store.cancelJob(jobId, clock());
        events.publish(jobId);
      }
    },

    wake,
    activeJobIds: () => [...active.keys()],
  };
}
