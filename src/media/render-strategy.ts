import type { EngineOptions } from './options.js';
import type { MediaInfo } from './types.js';

/**
 * Decode once, encode many: one FFmpeg process can decode the source once and feed several encoders
 * through `split`. That saves the repeated decode, but every extra encoder holds its own frame
 * buffers, so the group size is bounded by a memory budget for a 512 MB machine.
 */
const MB = 1024 * 1024;
/** Node, the HTTP server and the OS keep this much of the machine for themselves. */
const RESERVED_BYTES = 192 * MB;
/** FFmpeg itself and the filter graph, whatever the number of outputs. */
const PROCESS_BASE_BYTES = 50 * MB;

/**
 * The decoder's share: about 16 source pictures in flight (references, frame threads), twice the
 * bytes for 10-bit sources. ~50 MB for a 1080×1920 H.264 source (so ~100 MB with the base, as
 * measured), ~400 MB for 4K 10-bit HEVC.
 */
export function decoderMemoryBytes(media: MediaInfo): number {
  const bytesPerSample = /1[0-6]le|1[0-6]be|p010/.test(media.video.pixFmt) ? 2 : 1;
  return media.video.codedWidth * media.video.codedHeight * 1.5 * bytesPerSample * 16;
}
/**
 * FFmpeg 5.1 feeds all encoders of one process from one thread: past two large encoders a shared
 * decode loses more than it saves (measured at 1080×1920: 2 outputs 1.12× faster, 4 outputs 0.86×).
 */
const MAX_FANOUT_LARGE = 2;
const MAX_FANOUT_SMALL = 4;
const LARGE_FRAME_PIXELS = 1280 * 720;

/**
 * Frames' worth of 4:2:0 pictures one libx264 encoder holds (lookahead, references, threads), by
 * preset. Measured with FFmpeg 5.1 on 2 cores at 1080×1920: +90 MB per extra encoder at ultrafast,
 * +250 MB at veryfast; +120 MB at veryfast for 720×1280.
 */
const FRAMES_HELD: Record<string, number> = { ultrafast: 30, superfast: 45, veryfast: 80, faster: 100 };

export function encoderMemoryBytes(width: number, height: number, preset: string): number {
  return width * height * 1.5 * (FRAMES_HELD[preset] ?? 120);
}

/** What one FFmpeg process may use: three quarters of what the machine leaves, 200 MB to 2 GB. */
export function processMemoryBudget(machineMemoryBytes: number): number {
  return Math.min(2048 * MB, Math.max(200 * MB, (machineMemoryBytes - RESERVED_BYTES) * 0.75));
}

/**
 * Outputs per FFmpeg process, from the machine's memory and the output size: 1 for 1080×1920 on a
 * 512 MB machine, 2 on a laptop; up to 4 for small outputs.
 */
export function fanOutSize(media: MediaInfo, options: EngineOptions): number {
  if (options.fanOut !== 'auto') return Math.max(1, Math.floor(options.fanOut));
  const scale = Math.min(1, options.maxLongSide / Math.max(media.video.width, media.video.height));
  const width = media.video.width * scale;
  const height = media.video.height * scale;
  const perEncoder = encoderMemoryBytes(width, height, options.preset);
  const shared = PROCESS_BASE_BYTES + decoderMemoryBytes(media);
  const fits = Math.floor((processMemoryBudget(options.machineMemoryBytes) - shared) / perEncoder);
  const cap = width * height >= LARGE_FRAME_PIXELS ? MAX_FANOUT_LARGE : MAX_FANOUT_SMALL;
  return Math.max(1, Math.min(cap, fits));
}

/** Splits targets into consecutive groups rendered by one FFmpeg process each. */
export function groupTargets<T>(media: MediaInfo, targets: T[], options: EngineOptions): T[][] {
  const size = fanOutSize(media, options);
  const groups: T[][] = [];
  for (let i = 0; i < targets.length; i += size) groups.push(targets.slice(i, i + size));
  return groups;
}
