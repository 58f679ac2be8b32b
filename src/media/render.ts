import { rename, rm, stat } from 'node:fs/promises';
import { FfmpegError } from './errors.js';
import { type Fingerprint, pixelDifference, readFingerprint, structuralDifference } from './fingerprint.js';
import type { EngineOptions } from './options.js';
import { outputGeometry } from './output-format.js';
import { expectedDuration } from './plan.js';
import { buildRenderCommand } from './render-command.js';
import { groupTargets, planStrategy, type RenderStrategy } from './render-strategy.js';
import { runFfmpeg } from './runner.js';
import type { MediaInfo, VariationPlan } from './types.js';
import { verifyOutput } from './verify-output.js';

/**
 * Renders planned variations of one source: each into its work path, then checked, measured and
 * renamed into its final path — so a file at a final path is always complete and valid. Used alike
 * by the CLI and by the server's worker.
 */
export interface RenderTarget {
  outputId: string;
  plan: VariationPlan;
  workPath: string;
  finalPath: string;
  thumbnailPath?: string;
}

export type RenderResult =
  | {
      outputId: string;
      ok: true;
      sizeBytes: number;
      durationSec: number;
      width: number;
      height: number;
      distinctness: Record<string, number>;
    }
  /** message is safe to show a user; detail (FFmpeg's words, paths) is for logs only. */
  | { outputId: string; ok: false; code: string; message: string; detail: string };

export interface RenderRequest {
  inputPath: string;
  media: MediaInfo;
  targets: RenderTarget[];
  options: EngineOptions;
  signal?: AbortSignal;
  onProgress?: (outputId: string, fraction: number) => void;
  onOutput?: (result: RenderResult) => void;
  /**
   * Asked before each FFmpeg process starts: true stops the render there, reporting only what is
   * finished (a deploy lets the running encode end, and starts no other).
   */
  shouldStop?: () => boolean;
}

/** Scratch files of a target, next to its work path: fingerprint and thumbnail side outputs. */
function scratch(target: RenderTarget) {
  return { fingerprintPath: `${target.workPath}.fp`, thumbnailPath: `${target.workPath}.jpg` };
}

export async function renderVariations(req: RenderRequest): Promise<RenderResult[]> {
  if (req.targets.length === 0) return [];
  const strategy = planStrategy(req.media, req.targets.length, req.options);
  const groups = groupTargets(req.targets, strategy);
  const results: RenderResult[] = [];
  const measured = new Map<string, Fingerprint>();
  const sourceScratch = sourceScratchPath(req.targets);
  let sourcePrint: Fingerprint | null = null;
  // Groups render in parallel lanes but are checked in group order, so distinctness ("nearest
  // sibling rendered before it") is the same on every machine and every run.
  const rendered = groups.map(() => settleOnce<Map<string, string> | null>());
  const checkInOrder = async () => {
    for (const [index, group] of groups.entries()) {
      const failures = await (rendered[index] as Settle<Map<string, string> | null>).promise;
      if (failures === null) return;
      if (index === 0) sourcePrint = await readFingerprint(sourceScratch).catch(() => null);
      for (const target of group) {
        const result = await finishTarget(req, target, sourcePrint, measured, failures.get(target.outputId));
        results.push(result);
        req.onOutput?.(result);
      }
    }
  };
  let next = 0;
  const lane = async () => {
    while (next < groups.length && !req.shouldStop?.() && !req.signal?.aborted) {
      const index = next++;
      const outcome = rendered[index] as Settle<Map<string, string> | null>;
      try {
        outcome.resolve(
          await renderWithRetries(req, groups[index] as RenderTarget[], strategy, index, sourceScratch),
        );
      } catch (error) {
        outcome.reject(error);
        throw error;
      }
    }
  };
  try {
    const checking = checkInOrder();
    checking.catch(() => {});
    // Every lane ends (a cancel stops all their processes) before the files are cleaned up.
    const lanes = await Promise.allSettled(Array.from({ length: strategy.lanes }, lane));
    for (const outcome of rendered) outcome.resolve(null);
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    await checking;
    return results;
  } finally {
    const files = req.targets.flatMap((t) => [t.workPath, ...Object.values(scratch(t))]);
    await Promise.all([...files, sourceScratch].map((f) => rm(f, { force: true })));
  }
}

/** Renders a group; when a fan-out fails, each output alone, so one bad output cannot fail its siblings. */
async function renderWithRetries(
  req: RenderRequest,
  group: RenderTarget[],
  strategy: RenderStrategy,
  index: number,
  sourceScratch: string,
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  const job = { strategy, sourceScratch: index === 0 ? sourceScratch : undefined };
  const outcome = await renderGroup(req, group, job);
  if (outcome === true) return failures;
  if (group.length === 1) return failures.set((group[0] as RenderTarget).outputId, outcome);
  for (const target of group) {
    const single = await renderGroup(req, [target], job);
    if (single !== true) failures.set(target.outputId, single);
  }
  return failures;
}

interface Settle<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise settled from outside; later settles are ignored, and an unawaited rejection is not fatal. */
function settleOnce<T>(): Settle<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

type CommandRequest = Pick<RenderRequest, 'inputPath' | 'media' | 'targets' | 'options'>;
interface GroupJob {
  strategy: RenderStrategy;
  /** Only the first group writes the source's fingerprint. */
  sourceScratch: string | undefined;
}

/** What a render runs when nothing fails: its commands in start order, `lanes` of them at a time. */
export interface RenderCommands {
  lanes: number;
  commands: string[][];
}

/** The FFmpeg commands of a render (what `--print-commands` shows). */
export function renderCommands(req: CommandRequest): RenderCommands {
  const strategy = planStrategy(req.media, req.targets.length, req.options);
  const sourceScratch = sourceScratchPath(req.targets);
  const commands = groupTargets(req.targets, strategy).map((group, index) =>
    groupCommand(req, group, { strategy, sourceScratch: index === 0 ? sourceScratch : undefined }),
  );
  return { lanes: strategy.lanes, commands };
}

function sourceScratchPath(targets: RenderTarget[]): string {
  return `${targets[0]?.workPath}.source.fp`;
}

function groupCommand(req: CommandRequest, group: RenderTarget[], job: GroupJob): string[] {
  return buildRenderCommand({
    inputPath: req.inputPath,
    media: req.media,
    targets: group.map((t) => ({
      plan: t.plan,
      outPath: t.workPath,
      fingerprintPath: scratch(t).fingerprintPath,
      ...(t.thumbnailPath ? { thumbnailPath: scratch(t).thumbnailPath } : {}),
    })),
    options: req.options,
    decodeThreads: job.strategy.decodeThreads,
    ...(job.sourceScratch ? { sourceFingerprintPath: job.sourceScratch } : {}),
  });
}

/** Runs one FFmpeg process for the group: true, or why FFmpeg failed (the caller decides what next). */
async function renderGroup(req: RenderRequest, group: RenderTarget[], job: GroupJob) {
  const args = groupCommand(req, group, job);
  const durationSec = Math.max(...group.map((t) => expectedDuration(req.media, t.plan)));
  try {
    await runFfmpeg({
      args,
      durationSec,
      options: req.options,
      signal: req.signal,
      onProgress: (fraction) => {
        for (const t of group) req.onProgress?.(t.outputId, fraction);
      },
    });
    return true as const;
  } catch (error) {
    if (isAbort(error, req.signal)) throw error;
    await Promise.all(group.map((t) => rm(t.workPath, { force: true })));
    return error instanceof Error ? error.message : String(error);
  }
}

async function finishTarget(
  req: RenderRequest,
  target: RenderTarget,
  source: Fingerprint | null,
  siblings: Map<string, Fingerprint>,
  failure: string | undefined,
): Promise<RenderResult> {
  if (failure !== undefined || !(await exists(target.workPath))) {
    const message = 'FFmpeg could not render this variation.';
    return {
      outputId: target.outputId,
      ok: false,
      code: 'render_failed',
      message,
      detail: failure ?? 'no output',
    };
  }
  try {
    const geometry = outputGeometry(req.media, req.options.maxLongSide);
    const facts = await verifyOutput(
      target.workPath,
      {
        durationSec: expectedDuration(req.media, target.plan),
        width: geometry.width,
        height: geometry.height,
        hasAudio: req.media.audio !== null,
      },
      req.options,
      req.signal,
    );
    const print = await readFingerprint(scratch(target).fingerprintPath);
    const distinctness = measureDistinctness(print, source, [...siblings.values()]);
    siblings.set(target.outputId, print);
    if (target.thumbnailPath) await rename(scratch(target).thumbnailPath, target.thumbnailPath);
    await rename(target.workPath, target.finalPath);
    return { outputId: target.outputId, ok: true, ...facts, distinctness };
  } catch (error) {
    if (isAbort(error, req.signal)) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    const message = 'The rendered variation did not pass its checks.';
    return { outputId: target.outputId, ok: false, code: 'invalid_output', message, detail };
  }
}

/** How far an output is from its source and from the nearest sibling rendered before it. */
function measureDistinctness(
  print: Fingerprint,
  source: Fingerprint | null,
  siblings: Fingerprint[],
): Record<string, number> {
  const result: Record<string, number> = {};
  // A fingerprint can come out empty (a stream that changes size mid-way): then there is no measure.
  const comparable = (f: Fingerprint | null): f is Fingerprint => f !== null && f.frames.length > 0;
  if (!comparable(print)) return result;
  if (comparable(source)) {
    result.vsSource = pixelDifference(print, source);
    result.structureVsSource = structuralDifference(print, source);
  }
  const others = siblings.filter(comparable);
  if (others.length > 0) {
    result.nearestSibling = Math.min(...others.map((s) => pixelDifference(print, s)));
    result.structureVsNearestSibling = Math.min(...others.map((s) => structuralDifference(print, s)));
  }
  return result;
}

function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (error instanceof FfmpegError && error.code === 'ffmpeg_aborted');
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}
