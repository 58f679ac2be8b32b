import type { EngineOptions } from '../options.js';
import type { MediaInfo } from '../types.js';

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
 * Frames' worth of 4:2:0 pictures one output adds to a process: its single-threaded libx264 encoder
 * (lookahead, references) and its branch of the filter graph, audio and side outputs. Measured with
 * FFmpeg 5.1 on vidvar's own 1080×1920 commands: 156 MB for one output, +63 MB per further output at
 * ultrafast; encoders alone +155 MB each at veryfast.
 */
const FRAMES_HELD: Record<string, number> = { ultrafast: 21, superfast: 40, veryfast: 60, faster: 70 };

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
  /** FFmpeg processes of this source at once. */
  lanes: number;
  /** Outputs per process, in order; they add up to the number of outputs. */
  groupSizes: number[];
  /** `-threads` of the decoder and filter graph of each process (never the encoder's: always 1). */
  decodeThreads: number;
  /** Process slots (cores' worth of the machine, see process-slots.ts) one process takes. */
  slotsPerProcess: number;
}

/** The fastest arrangement of `count` outputs of this source that fits the machine's memory and cores. */
export function planStrategy(
  media: MediaInfo,
  count: number,
  options: EngineOptions,
  /** Encoders each output feeds: a variation delivered in several placements has one per placement. */
  encodersPerTarget = 1,
): RenderStrategy {
  const cpus = Math.max(1, Math.floor(options.cpus));
  const scale = Math.min(1, options.maxLongSide / Math.max(media.video.width, media.video.height));
  const perEncoder = encoderMemoryBytes(
    media.video.width * scale,
    media.video.height * scale,
    options.preset,
  );
  const shared = PROCESS_BASE_BYTES + decoderMemoryBytes(media);
  const budget = renderMemoryBudget(options.machineMemoryBytes);
  // Encoders that fit when `lanes` processes share the budget.
  const fitsPerProcess = (lanes: number) => Math.floor((budget / lanes - shared) / perEncoder);
  // As many processes as cores, fewer when memory cannot hold one encoder each; one always runs.
  let memoryLanes = cpus;
  while (memoryLanes > 1 && fitsPerProcess(memoryLanes) < 1) memoryLanes -= 1;
  const slotsPerProcess = Math.ceil(cpus / memoryLanes);
  if (count < 1) return { lanes: 1, groupSizes: [], decodeThreads: 1, slotsPerProcess };
  const maxGroup =
    options.fanOut === 'auto'
      ? Math.max(1, Math.floor(Math.min(MAX_FANOUT, fitsPerProcess(memoryLanes)) / encodersPerTarget))
      : Math.max(1, Math.floor(options.fanOut));
  let lanes = Math.min(memoryLanes, count);
  // Enough groups for the size limit, rounded up to a multiple of the lanes so they end together.
  let groups = Math.ceil(count / maxGroup);
  if (options.fanOut === 'auto') groups = Math.min(count, Math.ceil(groups / lanes) * lanes);
  lanes = Math.min(lanes, groups);
  const decodeThreads = options.threads > 0 ? options.threads : Math.max(1, Math.floor(cpus / lanes));
  return { lanes, groupSizes: balancedSizes(count, groups), decodeThreads, slotsPerProcess };
}

/** `count` split into `groups` sizes differing by at most one, larger first. */
function balancedSizes(count: number, groups: number): number[] {
  const base = Math.floor(count / groups);
  const extra = count % groups;
  return Array.from({ length: groups }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Splits items into groups of the strategy's sizes, one FFmpeg process each. With a cost estimate,
 * the dearest item goes first to the cheapest group that has room (longest-processing-time first),
 * so the processes of a source end together; items keep their order within a group. Without one,
 * groups are consecutive.
 */
export function groupTargets<T>(items: T[], strategy: RenderStrategy, cost?: (item: T) => number): T[][] {
  if (!cost) {
    const starts = strategy.groupSizes.map((_, i) =>
      strategy.groupSizes.slice(0, i).reduce((a, b) => a + b, 0),
    );
    return strategy.groupSizes.map((size, i) => items.slice(starts[i], (starts[i] as number) + size));
  }
  const groups = strategy.groupSizes.map((size) => ({ size, load: 0, members: [] as number[] }));
  const byCost = items.map((item, index) => ({ index, cost: cost(item) })).sort((a, b) => b.cost - a.cost);
  for (const { index, cost: c } of byCost) {
    const open = groups.filter((g) => g.members.length < g.size);
    const cheapest = open.reduce((best, g) => (g.load < best.load ? g : best));
    cheapest.members.push(index);
    cheapest.load += c;
  }
  return groups.map((g) => g.members.sort((a, b) => a - b).map((i) => items[i] as T));
}
