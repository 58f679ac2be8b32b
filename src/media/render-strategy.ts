import type { EngineOptions } from './options.js';
import type { MediaInfo } from './types.js';

/**
 * Decode once, encode many: one FFmpeg process can decode the source once and feed several encoders
 * through `split`. That saves the repeated decode, but every extra encoder holds its own frame
 * buffers, so the group size is bounded by a memory budget for a 512 MB machine.
 */
const FANOUT_MEMORY_BUDGET_BYTES = 320 * 1024 * 1024;
const MAX_FANOUT = 4;

/** Rough resident memory of one libx264 encoder at this output size (lookahead + reference frames). */
export function encoderMemoryBytes(width: number, height: number): number {
  const frameBytes = width * height * 1.5;
  return 40 * 1024 * 1024 + frameBytes * 40;
}

export function fanOutSize(media: MediaInfo, options: EngineOptions): number {
  if (options.fanOut !== 'auto') return Math.max(1, Math.floor(options.fanOut));
  const scale = Math.min(1, options.maxLongSide / Math.max(media.video.width, media.video.height));
  const perEncoder = encoderMemoryBytes(media.video.width * scale, media.video.height * scale);
  return Math.max(1, Math.min(MAX_FANOUT, Math.floor(FANOUT_MEMORY_BUDGET_BYTES / perEncoder)));
}

/** Splits targets into consecutive groups rendered by one FFmpeg process each. */
export function groupTargets<T>(media: MediaInfo, targets: T[], options: EngineOptions): T[][] {
  const size = fanOutSize(media, options);
  const groups: T[][] = [];
  for (let i = 0; i < targets.length; i += size) groups.push(targets.slice(i, i + size));
  return groups;
}
