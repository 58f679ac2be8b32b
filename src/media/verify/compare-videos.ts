import os from 'node:os';
import { admitMedia } from '../admission/admission.js';
import type { EngineOptions } from '../options.js';
import type { MediaInfo } from '../types.js';
import { matchInSlices } from './match-in-slices.js';
import { hashVideoFrames } from './video-hashes.js';
import type { VpdqComparison, VpdqVerdict } from './vpdq.js';
import type { FrameHash } from './vpdq-hash-file.js';

/**
 * "Would Meta's open video matcher (vPDQ) call these two videos the same?" — for any two files:
 * the one answer `vidvar compare` prints and `POST /api/compare` returns, so the two cannot drift.
 *
 * A is the query, B the compared video: the verdict is vPDQ's rule, a match when at least 80 % of
 * B's frames have a frame of A within 31 bits. Both are hashed at every frame: sampling one side is
 * only safe when the other is complete, and for two arbitrary videos neither is known to be the
 * "source" whose every frame should be kept (see the figures in video-hashes.ts).
 */
export interface CompareInput {
  file: string;
  /** How the user knows the file: refusals name it. */
  name: string;
  /** What admission found when the file was admitted already (an upload); otherwise it is admitted here. */
  media?: MediaInfo;
}

export interface VideoComparison {
  /** True only for the verdict "match"; "not measurable" is no match and no proof of distinctness. */
  match: boolean;
  verdict: VpdqVerdict;
  /** Share of A's frames with a frame of B within 31 bits, 0–100 (two decimals). */
  queryMatchedPercent: number;
  /** Share of B's frames with a frame of A within 31 bits, 0–100: what decides. */
  comparedMatchedPercent: number;
  /** Median over B's frames of the bits (of 256) to the nearest frame of A; null when not measurable. */
  nearestBits: number | null;
  /** Frames hashed, and of those the ones with enough detail to count (PDQ quality ≥ 50). */
  queryFramesHashed: number;
  queryFrames: number;
  comparedFramesHashed: number;
  comparedFrames: number;
}

export interface CompareOptions {
  engine: EngineOptions;
  /** Where the short-lived frame sockets go (default: the system's temporary folder; no data is written). */
  socketDir?: string;
}

export async function compareVideoFiles(
  a: CompareInput,
  b: CompareInput,
  options: CompareOptions,
  signal?: AbortSignal,
): Promise<VideoComparison> {
  // When one side fails the other is stopped rather than left to run for nothing.
  const both = new AbortController();
  const stop = () => both.abort();
  if (signal?.aborted) stop();
  signal?.addEventListener('abort', stop, { once: true });
  const stopOnFailure = <T>(work: Promise<T>): Promise<T> =>
    work.catch((error: unknown) => {
      stop();
      throw error;
    });
  const admit = (input: CompareInput): Promise<MediaInfo> =>
    input.media
      ? Promise.resolve(input.media)
      : admitMedia(input.file, input.name, options.engine, both.signal);
  // The two decodes run side by side: FFmpeg decodes one while this process hashes the other's frames.
  const hash = (file: string, info: MediaInfo): Promise<FrameHash[]> =>
    hashVideoFrames({
      file,
      info,
      options: options.engine,
      socketDir: options.socketDir ?? os.tmpdir(),
      fps: null,
      signal: both.signal,
    });
  try {
    // Both admitted (side by side) before either is decoded for hashing: a hostile file is refused
    // with the sentence uploads get before the other costs a decode.
    const [mediaA, mediaB] = await Promise.all([stopOnFailure(admit(a)), stopOnFailure(admit(b))]);
    const [framesA, framesB] = await Promise.all([
      stopOnFailure(hash(a.file, mediaA)),
      stopOnFailure(hash(b.file, mediaB)),
    ]);
    return summarise(framesA, framesB, await matchInSlices(framesA, framesB, both.signal));
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

function summarise(query: FrameHash[], compared: FrameHash[], result: VpdqComparison): VideoComparison {
  return {
    match: result.verdict === 'match',
    verdict: result.verdict,
    queryMatchedPercent: floor2(result.queryMatchedPercent),
    comparedMatchedPercent: floor2(result.comparedMatchedPercent),
    nearestBits: result.comparedNearestBits,
    queryFramesHashed: query.length,
    queryFrames: result.queryFrames,
    comparedFramesHashed: compared.length,
    comparedFrames: result.comparedFrames,
  };
}

/** Rounded down, so a share just under 80 % never reads as 80.00 beside the verdict "distinct". */
function floor2(value: number): number {
  return Math.floor(value * 100 + 1e-9) / 100;
}
