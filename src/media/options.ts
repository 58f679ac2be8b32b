import { readFileSync } from 'node:fs';
import os from 'node:os';
import { DEFAULT_PROCESS_LIMITS, type ProcessLimits } from './ffmpeg/process-limits.js';

/** Knobs of the engine. The CLI and the server both start from these defaults. */
export interface EngineOptions {
  ffmpegPath: string;
  ffprobePath: string;
  /**
   * `-threads` of the decoder and filter graph of each FFmpeg process; 0 shares the cores among the
   * processes running at once. Encoders always run on one thread each, so this never changes bytes.
   */
  threads: number;
  /** Cores FFmpeg may use: one process runs per core. */
  cpus: number;
  /** x264 preset; see the README for why this default. */
  preset: string;
  /** Longest side of an output in pixels. */
  maxLongSide: number;
  /** Admission limits. */
  maxDurationSec: number;
  minDurationSec: number;
  maxFrameSide: number;
  /** A run whose progress does not move for this long is killed. */
  stallTimeoutMs: number;
  /**
   * How many outputs one FFmpeg process renders from a single decode of the source ('auto' decides
   * from the frame size and the memory it would take; 1 = one process per output).
   */
  fanOut: number | 'auto';
  /** Memory of the machine (or container), what 'auto' fan-out sizes itself against. */
  machineMemoryBytes: number;
  /** Where FFmpeg may write temporary files (never /tmp on Fly.io): becomes TMPDIR of the child. */
  tmpDir: string | null;
  /** Memory, CPU-time and priority limits of every FFmpeg/ffprobe process; null runs them unlimited. */
  processLimits: ProcessLimits | null;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  ffmpegPath: 'ffmpeg',
  ffprobePath: 'ffprobe',
  threads: 0,
  cpus: os.availableParallelism(),
  preset: 'ultrafast',
  maxLongSide: 1920,
  maxDurationSec: 600,
  minDurationSec: 0.3,
  maxFrameSide: 4096,
  stallTimeoutMs: 60_000,
  fanOut: 'auto',
  machineMemoryBytes: detectMachineMemory(),
  tmpDir: null,
  processLimits: DEFAULT_PROCESS_LIMITS,
};

export function engineOptions(overrides: Partial<EngineOptions> = {}): EngineOptions {
  return { ...DEFAULT_ENGINE_OPTIONS, ...overrides };
}

/** The machine's memory, or the container's limit when a cgroup sets a smaller one. */
export function detectMachineMemory(): number {
  const total = os.totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const limit = Number(readFileSync(file, 'utf8').trim());
      if (Number.isFinite(limit) && limit > 0) return Math.min(total, limit);
    } catch {
      // Not in a cgroup with a memory limit: the machine's total applies.
    }
  }
  return total;
}
