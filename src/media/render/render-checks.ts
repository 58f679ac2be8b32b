import { rename, stat } from 'node:fs/promises';
import { FfmpegError } from '../ffmpeg/ffmpeg-error.js';
import { type FormatName, formatGeometry } from '../plan/placement.js';
import { expectedDuration } from '../plan/planner.js';
import { measureDistinctness, type Redraw } from '../verify/distinctness.js';
import { type Fingerprint, readFingerprint } from '../verify/fingerprint.js';
import { type Loudness, measureLoudness } from '../verify/loudness.js';
import { tooClose } from '../verify/too-close.js';
import { verifyOutput } from '../verify/verify-output.js';
import { measureVpdq } from '../verify/vpdq-distinctness.js';
import type { FrameHash } from '../verify/vpdq-hash-file.js';
import type { PlacementTarget, RenderRequest, RenderResult, RenderTarget } from './render-types.js';

/**
 * What happens to a rendered output before it counts: the check (file there, valid by its own moov box,
 * fingerprint readable) and the finish (distinctness, then the rename to its final path).
 */

/** Scratch files of a target, next to its work path: fingerprint and thumbnail side outputs. */
export function scratch(target: RenderTarget) {
  return { fingerprintPath: `${target.workPath}.fp`, thumbnailPath: `${target.workPath}.jpg` };
}

type Facts = Awaited<ReturnType<typeof verifyOutput>>;

export type Checked =
  | { failed: RenderResult }
  | {
      facts: Facts;
      print: Fingerprint;
      hashes: FrameHash[];
      /** Each placement's own check, in the target's order (absent for a target without placements). */
      placed?: Array<{ facts: Facts } | { failed: RenderResult }>;
      /** Where the variation's sound landed (every placement carries the same sound). */
      loudness?: Loudness | null;
    };

/**
 * What the outputs of a source are measured against, kept across redraw rounds: the source's
 * fingerprint and frame hashes (undefined until the process that makes them has ended), every
 * delivered output's, and the redraws each output took.
 */
export interface FinishState {
  sourcePrint: Fingerprint | null | undefined;
  sourceHashes: FrameHash[] | null;
  prints: Map<string, Fingerprint>;
  hashes: Map<string, FrameHash[]>;
  redraws: Map<string, Redraw[]>;
}

export function createFinishState(): FinishState {
  return {
    sourcePrint: undefined,
    sourceHashes: null,
    prints: new Map(),
    hashes: new Map(),
    redraws: new Map(),
  };
}

/** Is the file there, valid (mp4-facts) and fingerprinted? Runs for a whole group at once, in parallel. */
export async function checkTarget(
  req: RenderRequest,
  target: RenderTarget,
  failure: string | undefined,
  hashes: FrameHash[],
): Promise<Checked> {
  const { outputId } = target;
  const files = target.placements?.map((p) => p.workPath) ?? [target.workPath];
  const present = await Promise.all(files.map(exists));
  if (failure !== undefined || present.includes(false)) {
    const message = 'FFmpeg could not render this variation.';
    return {
      failed: { outputId, ok: false, code: 'render_failed', message, detail: failure ?? 'no output' },
    };
  }
  const expect = (format: FormatName) => {
    const geometry = formatGeometry(req.media, format, req.options.maxLongSide);
    return {
      durationSec: expectedDuration(req.media, target.plan),
      width: geometry.width,
      height: geometry.height,
      hasAudio: req.media.audio !== null,
    };
  };
  try {
    const print = await readFingerprint(scratch(target).fingerprintPath);
    const loudness = await measured(req, target, files[0] as string);
    if (!target.placements)
      return { facts: await verifyOutput(target.workPath, expect('source')), print, hashes, ...loudness };
    const placed = await Promise.all(
      target.placements.map(async (p) => {
        try {
          return { facts: await verifyOutput(p.workPath, expect(p.format)) };
        } catch (error) {
          if (isAbort(error, req.signal)) throw error;
          return { failed: invalidOutput(p.outputId, error) };
        }
      }),
    );
    const facts = placed.flatMap((p) => ('facts' in p ? [p.facts] : []))[0];
    if (!facts) return { failed: invalidOutput(outputId, 'no placement passed its checks') };
    return { facts, print, hashes, placed, ...loudness };
  } catch (error) {
    if (isAbort(error, req.signal)) throw error;
    return { failed: invalidOutput(outputId, error) };
  }
}

/**
 * In the caller's order: distinctness against the source and the siblings delivered before, then the
 * final names. An output too close to either (too-close.ts) is not delivered: it comes back `tooClose`.
 */
export async function finishTarget(
  target: RenderTarget,
  checked: Checked,
  state: FinishState,
  signal?: AbortSignal,
  guarantee = true,
): Promise<RenderResult[]> {
  if ('failed' in checked) return forEachPlacement(target, checked.failed);
  const result = await finishVariation(target, checked, state, signal, guarantee);
  if (!target.placements || (!result.ok && result.tooClose)) return [result];
  if (!result.ok) return forEachPlacement(target, result);
  const delivered: RenderResult[] = [];
  for (const [j, placement] of target.placements.entries()) {
    const check = checked.placed?.[j];
    if (!check || 'failed' in check) {
      delivered.push(check?.failed ?? invalidOutput(placement.outputId, 'not checked'));
      continue;
    }
    try {
      if (placement.thumbnailPath) await rename(placementThumbnail(placement), placement.thumbnailPath);
      await rename(placement.workPath, placement.finalPath);
      // A placement is the variation's creative in another frame: its distinctness is the variation's.
      delivered.push({ ...result, ...check.facts, outputId: placement.outputId });
    } catch (error) {
      delivered.push(invalidOutput(placement.outputId, error));
    }
  }
  return delivered;
}

/** Where a placement's thumbnail is written before its output passes its checks. */
export function placementThumbnail(placement: PlacementTarget): string {
  return `${placement.workPath}.jpg`;
}

/** A variation's failure, reported for each of its placements (or as it is, without any). */
export function forEachPlacement(target: RenderTarget, failed: RenderResult): RenderResult[] {
  if (!target.placements) return [failed];
  return target.placements.map((p) => ({ ...failed, outputId: p.outputId }));
}

/** Distinctness of the variation's creative; without placements also its rename into place. */
async function finishVariation(
  target: RenderTarget,
  checked: Exclude<Checked, { failed: RenderResult }>,
  state: FinishState,
  signal: AbortSignal | undefined,
  guarantee: boolean,
): Promise<RenderResult> {
  const { outputId } = target;
  const vpdq = await measureVpdq(checked.hashes, state.sourceHashes, [...state.hashes.values()], signal);
  const pixel = measureDistinctness(checked.print, state.sourcePrint ?? null, [...state.prints.values()]);
  const close = guarantee ? tooClose(vpdq, pixel) : null;
  if (close) {
    const detail =
      close.measure === 'vpdq'
        ? `vPDQ matches its ${close.closeTo} (${close.matchedPercent} % of frames)`
        : `not measurable by vPDQ; ${close.pixelDifference} grey levels from its ${close.closeTo}`;
    const tooCloseTo: Redraw = { label: '', rejectedSignature: target.plan.signature, ...close };
    return { outputId, ok: false, code: 'too_close', message: '', detail, tooClose: tooCloseTo };
  }
  try {
    state.prints.set(outputId, checked.print);
    state.hashes.set(outputId, checked.hashes);
    if (!target.placements) {
      if (target.thumbnailPath) await rename(scratch(target).thumbnailPath, target.thumbnailPath);
      await rename(target.workPath, target.finalPath);
    }
    const distinctness = { vpdq, pixel, redraws: state.redraws.get(outputId) ?? [] };
    const loudness = checked.loudness !== undefined ? { loudness: checked.loudness } : {};
    return { outputId, ok: true, ...checked.facts, plan: target.plan, distinctness, ...loudness };
  } catch (error) {
    return invalidOutput(outputId, error);
  }
}

/** The output's loudness when the request brings outputs to a target (nothing to measure otherwise). */
async function measured(
  req: RenderRequest,
  target: RenderTarget,
  file: string,
): Promise<{ loudness?: Loudness | null }> {
  if (!req.loudness || !req.media.audio) return {};
  const loudness = await measureLoudness({
    file,
    demuxer: 'mov',
    durationSec: expectedDuration(req.media, target.plan),
    scratchPath: `${target.workPath}.r128`,
    options: req.options,
    signal: req.signal,
  });
  return { loudness };
}

function invalidOutput(outputId: string, error: unknown): RenderResult {
  const detail = error instanceof Error ? error.message : String(error);
  const message = 'The rendered variation did not pass its checks.';
  return { outputId, ok: false, code: 'invalid_output', message, detail };
}

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (error instanceof FfmpegError && error.code === 'ffmpeg_aborted');
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size > 0;
  } catch {
    return false;
  }
}
