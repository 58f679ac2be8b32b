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
import type { FileStore } from '../storage/file-store.js';
import { type DataLayout, jobOutputDir, outputPath, sourcePath, thumbnailPath } from '../storage/layout.js';
import type { JobEvents } from './job-events.js';
import { type AbortReason, endFinished, endInterrupted } from './job-outcome.js';
import { createJobProgress, type JobProgress } from './job-progress.js';
import { jobRedrawPlanner } from './redraw-planner.js';
import { placementOptions, renderTargets } from './render-targets.js';
import { restingFiles } from './resting-files.js';
import { keepSourceStill } from './source-still.js';
import type { JobDetail, JobStore, SourceRecord } from './types.js';
import { WriteChain } from './write-chain.js';

export interface JobRunnerDeps {
  store: JobStore;
  events: JobEvents;
  layout: DataLayout;
  engine: EngineOptions;
  logger: Logger;
  clock?: () => number;
  render?: typeof renderVariations;
  /** Where files rest; in S3 mode sources come from the bucket and outputs go to it (local when unset). */
  files?: FileStore;
  /** True once the process is shutting down: the encodes running finish, no other starts. */
  isDraining: () => boolean;
}

export interface JobRunner {
  /**
   * Renders the outputs the job's record says are not done, records each as it lands, deletes a source
   * once all its outputs exist, and ends the job done, failed, canceled or interrupted.
   */
  run(job: JobDetail, signal: AbortSignal): Promise<void>;
}

const GENERIC_FAILURE = 'FFmpeg could not render this variation.';

/**
 * What a worker does with one job, whoever handed it over: the in-process loop (SQLite) or the queue
 * (BullMQ). Its FFmpeg processes take their cores from one set of slots, one per core.
 */
export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const { store, events, layout, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const render = deps.render ?? renderVariations;
  // FFmpeg's temporary files belong on the data volume, never in /tmp (a RAM disk on Fly.io).
  const engine: EngineOptions = { ...deps.engine, tmpDir: deps.engine.tmpDir ?? layout.work };
  const audit = createFileAudit(layout, logger);
  const resting = restingFiles(deps.files, layout, audit);
  const slots = createProcessSlots(engine.cpus);
  let jobsStarted = 0;

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
      if (deps.isDraining() && unfinished) await endInterrupted(store, job.id, clock(), 'shutdown', log);
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
        for (const file of [outputPath(layout, job.id, outputId), thumbnailPath(layout, job.id, outputId)]) {
          if (existsSync(file)) audit.created(file, job.id);
        }
        // Published now, side by side with the renders; recorded done only once it rests.
        const stored = resting.publishOutput(job.id, outputId, signal, log);
        writes.push(async () => {
          const outcome = await stored;
          if (outcome.ok) {
            await store.completeOutput(outputId, { ...facts, ...(placement ? { placement } : {}) });
            log.info({ event: 'output_done', outputId, sizeBytes: facts.sizeBytes }, 'output done');
          } else if ('message' in outcome) {
            await store.failOutput(outputId, outcome.message);
            log.error({ event: 'output_failed', outputId, code: 'storage_failed', detail: outcome.message });
          }
          // Cut by a cancel or shutdown: left running, so a resumed job renders it again.
        });
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

    const unfetched =
      pending.length > 0 && !source.deleted ? await resting.fetchSource(source.id, signal) : null;
    if (unfetched !== null) {
      log.error(
        { event: 'source_unavailable', sourceId: source.id, detail: unfetched },
        'source not fetched',
      );
      const message = `The source video could not be fetched from storage: ${unfetched}`;
      for (const o of pending)
        record({ outputId: o.id, ok: false, code: 'source_unavailable', message, detail: unfetched });
    } else if (pending.length > 0 && (source.deleted || !existsSync(inputPath))) {
      log.error({ event: 'source_missing', sourceId: source.id }, 'source file missing');
      const message = 'The source video is no longer on the server.';
      for (const o of pending)
        record({ outputId: o.id, ok: false, code: 'source_missing', message, detail: inputPath });
    } else if (pending.length > 0) {
      await keepSourceStill({ layout, engine, audit }, job.id, source, log, signal);
      await resting.publishStill(job.id, source.id, log);
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
          shouldStop: deps.isDraining,
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
      await resting.removeSource(source.id, log);
      await store.markSourceDeleted(source.id);
    }
  }

  return { run: runJob };
}
