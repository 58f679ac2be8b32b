import type { Intensity } from '../src/media/types.js';

/**
 * The sizes every scenario runs at. Workload W: 3 sources (6 s, 1080×1920, 30 fps, H.264 + AAC) at
 * medium intensity, 10 variations per source (the reference; BENCH_COUNT changes it).
 * BENCH_QUICK=1 shrinks everything for a smoke run.
 */

export const DEFAULT_COUNT = 10;

export type Look = 'fractal' | 'life' | 'cells';

export interface SourceSpec {
  name: string;
  width: number;
  height: number;
  durationSec: number;
  fps: number;
  look: Look;
}

export interface Workload {
  quick: boolean;
  sources: SourceSpec[];
  /** Variations per source for scenarios 1-3. */
  count: number;
  intensity: Intensity;
  /** Fixed, so every run plans the same variations and the raw baseline runs the same commands. */
  seed: string;
  /** Outputs of the one source in the strategy comparison (scenario 4). */
  strategyOutputs: number;
  /** Outputs per preset and per intensity (scenario 5). */
  presetOutputs: number;
  presets: string[];
  uploads: { files: number; bytesEach: number };
  /** Bytes of ZIP to stream through the server while sampling its memory (scenario 6). */
  zipBytes: number;
  latency: { pollers: number; requestsPerPoller: number; pauseMs: number; outputs: number };
}

const MB = 1000 * 1000;

export function workload(quick: boolean, count = DEFAULT_COUNT): Workload {
  const size = quick
    ? { width: 360, height: 640, durationSec: 2 }
    : { width: 1080, height: 1920, durationSec: 6 };
  const looks: Look[] = quick ? ['fractal'] : ['fractal', 'life', 'cells'];
  return {
    quick,
    sources: looks.map((look) => ({ name: `w-${look}`, fps: 30, look, ...size })),
    count: quick ? 2 : count,
    intensity: 'medium',
    seed: 'bench-w1',
    strategyOutputs: quick ? 2 : 6,
    presetOutputs: quick ? 2 : 3,
    presets: ['ultrafast', 'superfast', 'veryfast'],
    uploads: { files: 3, bytesEach: quick ? 8 * MB : 200 * MB },
    zipBytes: quick ? 16 * MB : 600 * MB,
    latency: { pollers: 20, requestsPerPoller: quick ? 10 : 40, pauseMs: 50, outputs: quick ? 2 : 4 },
  };
}
