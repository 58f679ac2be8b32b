import { rename, rm, stat } from 'node:fs/promises';
import { FfmpegError } from './errors.js';
import { type Fingerprint, pixelDifference, readFingerprint, structuralDifference } from './fingerprint.js';
import type { EngineOptions } from './options.js';
import { outputGeometry } from './output-format.js';
import { expectedDuration } from './plan.js';
import { buildRenderCommand } from './render-command.js';
import { groupTargets } from './render-strategy.js';
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
  const results: RenderResult[] = [];
  const measured = new Map<string, Fingerprint>();
  const sourcePrint: { value: Fingerprint | null } = { value: null };
  const sourceScratch = sourceScratchPath(req.targets);
  try {
    for (const group of groupTargets(req.media, req.targets, req.options)) {
      if (req.shouldStop?.()) break;
      const failures = new Map<string, string>();
      const outcome = await renderGroup(req, group, sourceScratch);
      if (outcome !== true && group.length > 1) {
        // A failed fan-out gives each output a chance alone: one bad output must not fail its siblings.
        for (const target of group) {
          const single = await renderGroup(req, [target], sourceScratch);
          if (single !== true) failures.set(target.outputId, single);
        }
      } else if (outcome !== true) {
        failures.set((group[0] as RenderTarget).outputId, outcome);
      }
      if (!sourcePrint.value) sourcePrint.value = await readFingerprint(sourceScratch).catch(() => null);
      for (const target of group) {
        const result = await finishTarget(
          req,
          target,
          sourcePrint.value,
          measured,
          failures.get(target.outputId),
        );
        results.push(result);
        req.onOutput?.(result);
      }
    }
    return results;
  } finally {
    const files = req.targets.flatMap((t) => [t.workPath, ...Object.values(scratch(t))]);
    await Promise.all([...files, sourceScratch].map((f) => rm(f, { force: true })));
  }
}

type CommandRequest = Pick<RenderRequest, 'inputPath' | 'media' | 'targets' | 'options'>;

/** The FFmpeg commands a render runs when nothing fails, in order (what `--print-commands` shows). */
export function renderCommands(req: CommandRequest): string[][] {
  const sourceScratch = sourceScratchPath(req.targets);
  return groupTargets(req.media, req.targets, req.options).map((group) =>
    groupCommand(req, group, sourceScratch),
  );
}

function sourceScratchPath(targets: RenderTarget[]): string {
  return `${targets[0]?.workPath}.source.fp`;
}

function groupCommand(req: CommandRequest, group: RenderTarget[], sourceFingerprintPath: string): string[] {
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
    sourceFingerprintPath,
  });
}

/** Runs one FFmpeg process for the group: true, or why FFmpeg failed (the caller decides what next). */
async function renderGroup(req: RenderRequest, group: RenderTarget[], sourceFingerprintPath: string) {
  const args = groupCommand(req, group, sourceFingerprintPath);
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
