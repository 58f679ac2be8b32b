import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FfmpegError } from './errors.js';
import { type Fingerprint, fingerprintVideo, pixelDifference, structuralDifference } from './fingerprint.js';
import type { EngineOptions } from './options.js';
import { outputGeometry } from './output-format.js';
import { expectedDuration } from './plan.js';
import { buildRenderCommand, buildThumbnailCommand } from './render-command.js';
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

export async function renderVariations(req: RenderRequest): Promise<RenderResult[]> {
  if (req.targets.length === 0) return [];
  const results: RenderResult[] = [];
  const report = (result: RenderResult) => {
    results.push(result);
    req.onOutput?.(result);
  };
  const fingerprints = new Map<string, Fingerprint>();
  try {
    const source = await fingerprintVideo(
      {
        inputPath: req.inputPath,
        demuxer: req.media.demuxer,
        durationSec: req.media.durationSec,
        scratchPath: scratchPath(req.targets[0]?.workPath ?? req.inputPath, 'source.gray'),
      },
      req.options,
      req.signal,
    );
    for (const group of groupTargets(req.media, req.targets, req.options)) {
      if (req.shouldStop?.()) break;
      const failures = new Map<string, string>();
      const outcome = await renderGroup(req, group);
      if (outcome !== true && group.length > 1) {
        // A failed fan-out gives each output a chance alone: one bad output must not fail its siblings.
        for (const target of group) {
          const single = await renderGroup(req, [target]);
          if (single !== true) failures.set(target.outputId, single);
        }
      } else if (outcome !== true) {
        failures.set((group[0] as RenderTarget).outputId, outcome);
      }
      for (const target of group) {
        report(await finishTarget(req, target, source, fingerprints, failures.get(target.outputId)));
      }
    }
    return results;
  } finally {
    await Promise.all(req.targets.map((t) => rm(t.workPath, { force: true })));
  }
}

/** Runs one FFmpeg process for the group: true, or why FFmpeg failed (the caller decides what next). */
async function renderGroup(req: RenderRequest, group: RenderTarget[]): Promise<true | string> {
  const args = buildRenderCommand({
    inputPath: req.inputPath,
    media: req.media,
    targets: group.map((t) => ({ plan: t.plan, outPath: t.workPath })),
    options: req.options,
  });
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
    return true;
  } catch (error) {
    if (isAbort(error, req.signal)) throw error;
    await Promise.all(group.map((t) => rm(t.workPath, { force: true })));
    return error instanceof Error ? error.message : String(error);
  }
}

async function finishTarget(
  req: RenderRequest,
  target: RenderTarget,
  source: Fingerprint,
  siblings: Map<string, Fingerprint>,
  failure: string | undefined,
): Promise<RenderResult> {
  if (failure !== undefined || !(await exists(target.workPath))) {
    const message = 'FFmpeg could not render this variation.';
    return { outputId: target.outputId, ok: false, code: 'render_failed', message, detail: failure ?? 'no output' };
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
    const print = await fingerprintVideo(
      {
        inputPath: target.workPath,
        demuxer: 'mov',
        durationSec: facts.durationSec,
        scratchPath: scratchPath(target.workPath, 'fp.gray'),
      },
      req.options,
      req.signal,
    );
    const distinctness = measureDistinctness(print, source, [...siblings.values()]);
    siblings.set(target.outputId, print);
    if (target.thumbnailPath) await writeThumbnail(req, target, facts.durationSec, geometry.width);
    await rename(target.workPath, target.finalPath);
    return { outputId: target.outputId, ok: true, ...facts, distinctness };
  } catch (error) {
    if (isAbort(error, req.signal)) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    const message = 'The rendered variation did not pass its checks.';
    return { outputId: target.outputId, ok: false, code: 'invalid_output', message, detail };
  }
}

function measureDistinctness(print: Fingerprint, source: Fingerprint, siblings: Fingerprint[]): Record<string, number> {
  const result: Record<string, number> = {
    vsSource: pixelDifference(print, source),
    structureVsSource: structuralDifference(print, source),
  };
  if (siblings.length > 0) {
    result.nearestSibling = Math.min(...siblings.map((s) => pixelDifference(print, s)));
    result.structureVsNearestSibling = Math.min(...siblings.map((s) => structuralDifference(print, s)));
  }
  return result;
}

async function writeThumbnail(req: RenderRequest, target: RenderTarget, durationSec: number, width: number) {
  const thumbPath = target.thumbnailPath as string;
  const workThumb = scratchPath(target.workPath, 'thumb.jpg');
  try {
    const args = buildThumbnailCommand({
      inputPath: target.workPath,
      atSec: Math.min(1, durationSec / 2),
      outPath: workThumb,
      width: Math.min(360, width),
    });
    await runFfmpeg({ args, durationSec: 0, options: req.options, signal: req.signal });
    await rename(workThumb, thumbPath);
  } finally {
    await rm(workThumb, { force: true });
  }
}

function scratchPath(nextTo: string, suffix: string): string {
  const dir = path.dirname(nextTo);
  return path.join(dir, `${path.basename(nextTo, path.extname(nextTo))}.${suffix}`);
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
