import type { EngineOptions } from './options.js';
import type { MediaInfo } from './types.js';

/**
 * Decode once, encode many: one FFmpeg process can decode the source once and feed several encoders
 * through `split`. That saves the repeated decode, but every extra encoder holds its own frame
 * buffers, so the group size is bounded by a memory budget for a 512 MB machine.
 */
const MB = 1024 * 1024;
/** What one FFmpeg process may take on a 512 MB machine that also runs Node (~130 MB). */
const PROCESS_MEMORY_BUDGET_BYTES = 350 * MB;
/** Decoder, filter graph and FFmpeg itself, whatever the number of outputs (measured ~100 MB). */
const PROCESS_BASE_BYTES = 100 * MB;
const MAX_FANOUT = 4;

/**
 * Resident memory one more libx264 encoder adds at this output size: about 80 frames' worth of
 * 4:2:0 pictures (lookahead, references, threads). Measured with veryfast, FFmpeg 5.1 on 2 cores:
 * +250 MB at 1080×1920, +120 MB at 720×1280, +70 MB at 540×960.
 */
export function encoderMemoryBytes(width: number, height: number): number {
  return width * height * 1.5 * 80;
}

export function fanOutSize(media: MediaInfo, options: EngineOptions): number {
  if (options.fanOut !== 'auto') return Math.max(1, Math.floor(options.fanOut));
  const scale = Math.min(1, options.maxLongSide / Math.max(media.video.width, media.video.height));
  const perEncoder = encoderMemoryBytes(media.video.width * scale, media.video.height * scale);
  const fits = Math.floor((PROCESS_MEMORY_BUDGET_BYTES - PROCESS_BASE_BYTES) / perEncoder);
  return Math.max(1, Math.min(MAX_FANOUT, fits));
}

/** Splits targets into consecutive groups rendered by one FFmpeg process each. */
export function groupTargets<T>(media: MediaInfo, targets: T[], options: EngineOptions): T[][] {
  const size = fanOutSize(media, options);
  const groups: T[][] = [];
  for (let i = 0; i < targets.length; i += size) groups.push(targets.slice(i, i + size));
  return groups;
}
