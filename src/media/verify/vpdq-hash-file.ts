import { isPdqHex } from './pdq-bits.js';
import type { VpdqFrame } from './vpdq.js';

/** One hashed frame of a video: its PDQ hash and quality, and where it is in the video. */
export interface FrameHash extends VpdqFrame {
  /** Position among the hashed frames, from 0. */
  index: number;
  /** When the frame shows, in seconds (nominal: index / hashing rate). */
  timeSec: number;
}

/**
 * The text form of a video's frame hashes that the published vPDQ tools write and read: one line
 * per frame, `frame number,quality,64 hex digits,timestamp in seconds`. Lets vidvar compare against
 * hashes made elsewhere, and keep its own.
 */
export function parseFrameHashes(text: string): FrameHash[] {
  const frames: FrameHash[] = [];
  for (const [lineNo, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const [index, quality, hex, time] = line.split(',');
    const parsed = { index: Number(index), quality: Number(quality), hex: hex ?? '', timeSec: Number(time) };
    if (!Number.isInteger(parsed.index) || !Number.isFinite(parsed.quality) || !isPdqHex(parsed.hex)) {
      throw new SyntaxError(`line ${lineNo + 1} is not a frame hash: ${line.slice(0, 100)}`);
    }
    frames.push({
      ...parsed,
      hex: parsed.hex.toLowerCase(),
      timeSec: Number.isFinite(parsed.timeSec) ? parsed.timeSec : 0,
    });
  }
  return frames;
}

export function formatFrameHashes(frames: readonly FrameHash[]): string {
  return frames.map((f) => `${f.index},${f.quality},${f.hex},${f.timeSec.toFixed(3)}\n`).join('');
}
