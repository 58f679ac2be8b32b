import { readFile, rm } from 'node:fs/promises';
import { inputArgs } from './demuxers.js';
import type { EngineOptions } from './options.js';
import { runFfmpeg } from './runner.js';

/**
 * A tiny picture of a video: a few grey 16×16 frames taken at the same relative positions of its
 * duration. Comparing two fingerprints tells how different two videos look, which is how vidvar
 * proves that variations are distinct from their source and from each other.
 */
export const FINGERPRINT_FRAMES = 5;
export const FINGERPRINT_SIDE = 16;
const FRAME_BYTES = FINGERPRINT_SIDE * FINGERPRINT_SIDE;

export interface Fingerprint {
  frames: Uint8Array[];
}

/** Seek positions at the middle of N equal slices, so that retimed videos line up with their source. */
export function fingerprintTimes(durationSec: number, frames = FINGERPRINT_FRAMES): number[] {
  return Array.from({ length: frames }, (_, i) => Number((((i + 0.5) / frames) * durationSec).toFixed(3)));
}

export function buildFingerprintCommand(
  req: { inputPath: string; demuxer: string; durationSec: number; outPath: string },
): string[] {
  const times = fingerprintTimes(req.durationSec);
  const args: string[] = [];
  for (const t of times) {
    args.push('-ss', String(t), ...inputArgs(req.inputPath, req.demuxer));
  }
  const scaled = times.map(
    (_, i) =>
      `[${i}:v:0]trim=end_frame=1,scale=${FINGERPRINT_SIDE}:${FINGERPRINT_SIDE}:flags=area,setsar=1,format=gray[f${i}]`,
  );
  const inputs = times.map((_, i) => `[f${i}]`).join('');
  const graph = `${scaled.join(';')};${inputs}concat=n=${times.length}:v=1:a=0[out]`;
  args.push('-filter_complex', graph, '-map', '[out]', '-an', '-f', 'rawvideo', '-y', `file:${req.outPath}`);
  return args;
}

/**
 * For files that cannot seek (no index, frames that only decode from the start): one sequential
 * decode, sampling the same positions with the fps filter. Slower, so only a fallback.
 */
export function buildSequentialFingerprintCommand(
  req: { inputPath: string; demuxer: string; durationSec: number; outPath: string },
): string[] {
  const step = req.durationSec / FINGERPRINT_FRAMES;
  const start = (step / 2).toFixed(3);
  const filters = [
    `trim=start=${start}`,
    'setpts=PTS-STARTPTS',
    `fps=${(1 / step).toFixed(6)}`,
    `scale=${FINGERPRINT_SIDE}:${FINGERPRINT_SIDE}:flags=area`,
    'setsar=1',
    'format=gray',
  ];
  return [
    ...inputArgs(req.inputPath, req.demuxer),
    ...['-map', '0:v:0', '-vf', filters.join(','), '-frames:v', String(FINGERPRINT_FRAMES)],
    ...['-an', '-f', 'rawvideo', '-y', `file:${req.outPath}`],
  ];
}

export async function fingerprintVideo(
  req: { inputPath: string; demuxer: string; durationSec: number; scratchPath: string },
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<Fingerprint> {
  const request = { ...req, outPath: req.scratchPath };
  try {
    await runFfmpeg({ args: buildFingerprintCommand(request), durationSec: 0, options, signal }).catch(
      (error: unknown) => {
        if (signal?.aborted) throw error;
        return runFfmpeg({ args: buildSequentialFingerprintCommand(request), durationSec: 0, options, signal });
      },
    );
    const bytes = await readFile(req.scratchPath);
    const frames: Uint8Array[] = [];
    for (let offset = 0; offset + FRAME_BYTES <= bytes.length; offset += FRAME_BYTES) {
      frames.push(new Uint8Array(bytes.subarray(offset, offset + FRAME_BYTES)));
    }
    return { frames };
  } finally {
    await rm(req.scratchPath, { force: true });
  }
}

/** Mean absolute difference of grey levels, 0 (identical) to 255. */
export function pixelDifference(a: Fingerprint, b: Fingerprint): number {
  const n = Math.min(a.frames.length, b.frames.length);
  if (n === 0) return 0;
  let total = 0;
  for (let f = 0; f < n; f++) {
    const fa = a.frames[f] as Uint8Array;
    const fb = b.frames[f] as Uint8Array;
    for (let i = 0; i < FRAME_BYTES; i++) total += Math.abs((fa[i] as number) - (fb[i] as number));
  }
  return round(total / (n * FRAME_BYTES));
}

/** Difference hash per frame (is each pixel brighter than its right neighbour?): structural change, 0..1. */
export function structuralDifference(a: Fingerprint, b: Fingerprint): number {
  const n = Math.min(a.frames.length, b.frames.length);
  if (n === 0) return 0;
  let differing = 0;
  let bits = 0;
  for (let f = 0; f < n; f++) {
    const fa = a.frames[f] as Uint8Array;
    const fb = b.frames[f] as Uint8Array;
    for (let y = 0; y < FINGERPRINT_SIDE; y++) {
      for (let x = 0; x < FINGERPRINT_SIDE - 1; x++) {
        const i = y * FINGERPRINT_SIDE + x;
        const ba = (fa[i] as number) > (fa[i + 1] as number);
        const bb = (fb[i] as number) > (fb[i + 1] as number);
        if (ba !== bb) differing++;
        bits++;
      }
    }
  }
  return round(differing / bits);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
