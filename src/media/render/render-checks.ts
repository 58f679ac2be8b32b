import { rename, stat } from 'node:fs/promises';
import { FfmpegError } from '../ffmpeg/ffmpeg-error.js';
import { outputGeometry } from '../plan/output-format.js';
import { expectedDuration } from '../plan/planner.js';
import { measureDistinctness } from '../verify/distinctness.js';
import { type Fingerprint, readFingerprint } from '../verify/fingerprint.js';
import { verifyOutput } from '../verify/verify-output.js';
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
  | { facts: Awaited<ReturnType<typeof verifyOutput>>; print: Fingerprint };

/** Is the file there, valid (mp4-facts) and fingerprinted? Runs for a whole group at once, in parallel. */
export async function checkTarget(
  req: RenderRequest,
  target: RenderTarget,
  failure: string | undefined,
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
    return { facts, print: await readFingerprint(scratch(target).fingerprintPath) };
  } catch (error) {
    if (isAbort(error, req.signal)) throw error;
    return { failed: invalidOutput(outputId, error) };
  }
}

/** In the caller's order: distinctness against the siblings checked before, then the final names. */
export async function finishTarget(
  target: RenderTarget,
  checked: Checked,
  source: Fingerprint | null,
  siblings: Map<string, Fingerprint>,
): Promise<RenderResult> {
  if ('failed' in checked) return checked.failed;
  try {
    const distinctness = measureDistinctness(checked.print, source, [...siblings.values()]);
    siblings.set(target.outputId, checked.print);
    if (target.thumbnailPath) await rename(scratch(target).thumbnailPath, target.thumbnailPath);
    await rename(target.workPath, target.finalPath);
    return { outputId: target.outputId, ok: true, ...checked.facts, distinctness };
  } catch (error) {
    return invalidOutput(target.outputId, error);
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
