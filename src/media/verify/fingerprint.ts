import { readFile } from 'node:fs/promises';

/**
 * A tiny picture of a video: a few grey 16×16 frames taken at the middle of equal slices of its
 * duration, so that retimed outputs line up with their source. The render command writes one for
 * the source and one per output from frames it has decoded anyway (see side-outputs.ts); comparing
 * them tells how different two videos look, which is how vidvar proves its variations are distinct.
 */
export const FINGERPRINT_FRAMES = 5;
export const FINGERPRINT_SIDE = 16;
const FRAME_BYTES = FINGERPRINT_SIDE * FINGERPRINT_SIDE;

export interface Fingerprint {
  frames: Uint8Array[];
}

/** The filters fingerprintFilters uses. */
export const FINGERPRINT_FILTERS: readonly string[] = ['trim', 'setpts', 'fps', 'scale', 'setsar', 'format'];

/** The filter chain that turns a video of this duration into its fingerprint frames. */
export function fingerprintFilters(durationSec: number): string[] {
  const step = Math.max(durationSec, 0.01) / FINGERPRINT_FRAMES;
  return [
    `trim=start=${(step / 2).toFixed(3)}`,
    'setpts=PTS-STARTPTS',
    `fps=${(1 / step).toFixed(6)}`,
    // Frames past the last sample are dropped here, not scaled and queued for an output that is done.
    `trim=end_frame=${FINGERPRINT_FRAMES}`,
    `scale=${FINGERPRINT_SIDE}:${FINGERPRINT_SIDE}:flags=area`,
    'setsar=1',
    'format=gray',
  ];
}

/** Output options that write the fingerprint frames of a filter graph label as raw bytes. */
export function fingerprintOutputArgs(label: string, outPath: string): string[] {
  return ['-map', label, '-frames:v', String(FINGERPRINT_FRAMES), '-f', 'rawvideo', `file:${outPath}`];
}

export async function readFingerprint(file: string): Promise<Fingerprint> {
  const bytes = await readFile(file);
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset + FRAME_BYTES <= bytes.length; offset += FRAME_BYTES) {
    frames.push(new Uint8Array(bytes.subarray(offset, offset + FRAME_BYTES)));
  }
  return { frames };
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
