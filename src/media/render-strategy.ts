import type { EngineOptions } from './options.js';
import type { MediaInfo } from './types.js';

/**
 * How the outputs of one source are spread over FFmpeg processes. Every x264 encoder runs on one
 * thread (the bytes then do not depend on the machine), so the cores are used by running one process
 * per core ("lanes"), and each process decodes the source once and `split`s it to several encoders
 * ("fan-out"). Both are bounded by a memory budget that fits a 512 MB machine.
 */
const MB = 1024 * 1024;
/** Node, the HTTP server and the OS keep this much of the machine for themselves. */
const RESERVED_BYTES = 192 * MB;
/** FFmpeg itself and the filter graph, whatever the number of outputs. */
const PROCESS_BASE_BYTES = 50 * MB;

/**
 * The decoder's share: about 16 source pictures in flight (references, reordering), twice the
 * bytes for 10-bit sources. ~50 MB for a 1080×1920 H.264 source, ~400 MB for 4K 10-bit HEVC.
 */
export function decoderMemoryBytes(media: MediaInfo): number {
  const bytesPerSample = /1[0-6]le|1[0-6]be|p010/.test(media.video.pixFmt) ? 2 : 1;
  return media.video.codedWidth * media.video.codedHeight * 1.5 * bytesPerSample * 16;
}

/**
 * Frames' worth of 4:2:0 pictures one single-threaded libx264 encoder holds (lookahead, references),
 * by preset. Measured with FFmpeg 5.1 at 1080×1920: +33 MB per encoder at ultrafast, +155 MB at
 * veryfast.
 */
const FRAMES_HELD: Record<string, number> = { ultrafast: 12, superfast: 30, veryfast: 52, faster: 60 };

export function encoderMemoryBytes(width: number, height: number, preset: string): number {
  return width * height * 1.5 * (FRAMES_HELD[preset] ?? 80);
}

/** What all FFmpeg processes of a render may use together: three quarters of what the machine leaves. */
export function renderMemoryBudget(machineMemoryBytes: number): number {
  return Math.max(200 * MB, (machineMemoryBytes - RESERVED_BYTES) * 0.75);
}

/**
 * Encoders one process feeds, at most. FFmpeg 5.1 runs them one after another on its main thread,
 * so past a handful the saved decodes no longer pay for the coarser progress and retries.
 */
const MAX_FANOUT = 5;

export interface RenderStrategy {
  /** FFmpeg processes running at once. */
  lanes: number;
  /** Outputs per process, in order; they add up to the number of outputs. */
  groupSizes: number[];
  /** `-threads` of the decoder and filter graph of each process (never the encoder's: always 1). */
  decodeThreads: number;
}

/** The fastest arrangement of `count` outputs of this source that fits the machine's memory and cores. */
export function planStrategy(media: MediaInfo, count: number, options: EngineOptions): RenderStrategy {
  if (count < 1) return { lanes: 1, groupSizes: [], decodeThreads: 1 };
  const scale = Math.min(1, options.maxLongSide / Math.max(media.video.width, media.video.height));
  const perEncoder = encoderMemoryBytes(
    media.video.width * scale,
    media.video.height * scale,
    options.preset,
  );
  const shared = PROCESS_BASE_BYTES + decoderMemoryBytes(media);
  const budget = renderMemoryBudget(options.machineMemoryBytes);
  // Encoders that fit when `lanes` processes share the budget; at least one, whatever the file.
  const fitsPerProcess = (lanes: number) => Math.floor((budget / lanes - shared) / perEncoder);
  let lanes = Math.max(1, Math.min(options.cpus, count));
  while (lanes > 1 && fitsPerProcess(lanes) < 1) lanes -= 1;
  const maxGroup =
    options.fanOut === 'auto'
      ? Math.max(1, Math.min(MAX_FANOUT, fitsPerProcess(lanes)))
      : Math.max(1, Math.floor(options.fanOut));
  // Enough groups for the size limit, rounded up to a multiple of the lanes so they end together.
  let groups = Math.ceil(count / maxGroup);
  if (options.fanOut === 'auto') groups = Math.min(count, Math.ceil(groups / lanes) * lanes);
  lanes = Math.min(lanes, groups);
  const decodeThreads = options.threads > 0 ? options.threads : Math.max(1, Math.floor(options.cpus / lanes));
  return { lanes, groupSizes: balancedSizes(count, groups), decodeThreads };
}

/** `count` split into `groups` sizes differing by at most one, larger first. */
function balancedSizes(count: number, groups: number): number[] {
  const base = Math.floor(count / groups);
  const extra = count % groups;
  return Array.from({ length: groups }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Splits targets into consecutive groups, one FFmpeg process each, as the strategy says. */
export function groupTargets<T>(targets: T[], strategy: RenderStrategy): T[][] {
  const groups: T[][] = [];
  let start = 0;
  for (const size of strategy.groupSizes) {
    groups.push(targets.slice(start, start + size));
    start += size;
  }
  return groups;
}
