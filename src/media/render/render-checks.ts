import { rename, stat } from 'node:fs/promises';
import { FfmpegError } from '../ffmpeg/ffmpeg-error.js';
import { outputGeometry } from '../plan/output-format.js';
import { expectedDuration } from '../plan/planner.js';
import { measureDistinctness, type Redraw } from '../verify/distinctness.js';
import { type Fingerprint, readFingerprint } from '../verify/fingerprint.js';
import { tooClose } from '../verify/too-close.js';
import { verifyOutput } from '../verify/verify-output.js';
import { measureVpdq } from '../verify/vpdq-distinctness.js';
import type { FrameHash } from '../verify/vpdq-hash-file.js';
import type { RenderRequest, RenderResult, RenderTarget } from './render-types.js';

/**
 * What happens to a rendered output before it counts: the check (file there, valid by its own moov box,
 * fingerprint readable) and the finish (distinctness, then the rename to its final path).
 */

/** Scratch files of a target, next to its work path: fingerprint and thumbnail side outputs. */
export function scratch(target: RenderTarget) {
  return { fingerprintPath: `${target.workPath}.fp`, thumbnailPath: `${target.workPath}.jpg` };
}

export type Checked =
  | { failed: RenderResult }
  | { facts: Awaited<ReturnType<typeof verifyOutput>>; print: Fingerprint; hashes: FrameHash[] };

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
  if (failure !== undefined || !(await exists(target.workPath))) {
    const message = 'FFmpeg could not render this variation.';
    return {
      failed: { outputId, ok: false, code: 'render_failed', message, detail: failure ?? 'no output' },
    };
  }
  try {
    const geometry = outputGeometry(req.media, req.options.maxLongSide);
    const expected = {
      durationSec: expectedDuration(req.media, target.plan),
      width: geometry.width,
      height: geometry.height,
      hasAudio: req.media.audio !== null,
    };
    const facts = await verifyOutput(target.workPath, expected);
    return { facts, print: await readFingerprint(scratch(target).fingerprintPath), hashes };
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
): Promise<RenderResult> {
  if ('failed' in checked) return checked.failed;
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
    if (target.thumbnailPath) await rename(scratch(target).thumbnailPath, target.thumbnailPath);
    await rename(target.workPath, target.finalPath);
    const distinctness = { vpdq, pixel, redraws: state.redraws.get(outputId) ?? [] };
    return { outputId, ok: true, ...checked.facts, plan: target.plan, distinctness };
  } catch (error) {
    return invalidOutput(outputId, error);
  }
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
