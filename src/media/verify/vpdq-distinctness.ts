import { matchInSlices } from './match-in-slices.js';
import { DEFAULT_HASH_FPS } from './video-hashes.js';
import type { VpdqComparison } from './vpdq.js';
import type { FrameHash } from './vpdq-hash-file.js';

/**
 * How an output reads to vPDQ against its source and its nearest sibling. The render hashes every
 * frame of the source and 15 a second of each output; each comparison is then the dense side (the
 * source, or the sibling) against this output sampled at 4 a second, decided on the output's share:
 * the arrangement that keeps retimed copies matching (video-hashes.ts). Two outputs both at 4 a
 * second would not (see the README's figures).
 */
export interface VpdqMeasure {
  /** vPDQ would treat this output as a copy of the other video. */
  match: boolean;
  /** False when too few frames have PDQ quality ≥ 50 to judge: then never "distinct". */
  measurable: boolean;
  /** Share of this output's (sampled) frames within 31 bits of some frame of the other, 0–100. */
  matchedPercent: number;
  /** Median over this output's frames of the distance to the nearest frame of the other; null when not measurable. */
  nearestBits: number | null;
}

export interface VpdqDistinctness {
  /** Whether vsSource could be judged; when not, the 16×16 measures vouch for the output instead. */
  measurable: boolean;
  vsSource: VpdqMeasure | null;
  /** The sibling (delivered before it) closest by vPDQ; null for the first output of a source. */
  vsNearestSibling: VpdqMeasure | null;
}

/** The first frame of every 1/fps-second slot: the frames hashing at `fps` would have kept. */
export function sampleHashes(frames: readonly FrameHash[], fps: number): FrameHash[] {
  return frames.filter(
    (f, i) => i === 0 || Math.floor(f.timeSec * fps) !== Math.floor((frames[i - 1]?.timeSec ?? 0) * fps),
  );
}

export async function measureVpdq(
  output: readonly FrameHash[],
  source: readonly FrameHash[] | null,
  siblings: ReadonlyArray<readonly FrameHash[]>,
  signal?: AbortSignal,
): Promise<VpdqDistinctness> {
  const compared = sampleHashes(output, DEFAULT_HASH_FPS);
  const vsSource = source ? toMeasure(await matchInSlices(source, compared, signal)) : null;
  let vsNearestSibling: VpdqMeasure | null = null;
  for (const sibling of siblings) {
    const measure = toMeasure(await matchInSlices(sibling, compared, signal));
    if (vsNearestSibling === null || closer(measure, vsNearestSibling)) vsNearestSibling = measure;
  }
  return { measurable: vsSource?.measurable ?? false, vsSource, vsNearestSibling };
}

function closer(a: VpdqMeasure, b: VpdqMeasure): boolean {
  if (a.measurable !== b.measurable) return a.measurable;
  if (a.matchedPercent !== b.matchedPercent) return a.matchedPercent > b.matchedPercent;
  return (a.nearestBits ?? 256) < (b.nearestBits ?? 256);
}

function toMeasure(result: VpdqComparison): VpdqMeasure {
  const measurable = result.verdict !== 'not_measurable';
  return {
    match: result.verdict === 'match',
    measurable,
    // Rounded down, so a share just under 80 % never reads as 80 beside "distinct".
    matchedPercent: Math.floor(result.comparedMatchedPercent * 100 + 1e-9) / 100,
    nearestBits: measurable ? result.comparedNearestBits : null,
  };
}
