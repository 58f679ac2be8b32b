import { describe, expect, it } from 'vitest';
import { engineOptions } from '../../src/media/options.js';
import { groupTargets, planStrategy } from '../../src/media/render/render-strategy.js';
import { fakeMedia } from '../support/fake-media.js';

const media = (width: number, height: number) => fakeMedia({ width, height });
const MB = 1024 * 1024;
/** Fly.io shared-cpu-1x: one core, 512 MB. */
const small = (o = {}) => engineOptions({ machineMemoryBytes: 512 * MB, cpus: 1, preset: 'ultrafast', ...o });
const laptop = (o = {}) =>
  engineOptions({ machineMemoryBytes: 16 * 1024 * MB, cpus: 2, preset: 'ultrafast', ...o });

describe('render strategy', () => {
  it('on a 512 MB, one-core machine runs one process and fans out as far as memory allows', () => {
    // 240 MB for FFmpeg: ~100 MB to decode 1080×1920, ~65 MB per ultrafast output.
    expect(planStrategy(media(1080, 1920), 10, small())).toEqual({
      lanes: 1,
      groupSizes: [2, 2, 2, 2, 2],
      decodeThreads: 1,
      slotsPerProcess: 1,
    });
    // veryfast encoders hold four times the frames: one output per process.
    expect(planStrategy(media(1080, 1920), 3, small({ preset: 'veryfast' })).groupSizes).toEqual([1, 1, 1]);
  });

  it('runs one process per core, with groups balanced so the lanes end together', () => {
    expect(planStrategy(media(1080, 1920), 10, laptop())).toEqual({
      lanes: 2,
      groupSizes: [5, 5],
      decodeThreads: 1,
      slotsPerProcess: 1,
    });
    expect(planStrategy(media(1080, 1920), 12, laptop()).groupSizes).toEqual([3, 3, 3, 3]);
    expect(planStrategy(media(1080, 1920), 3, laptop()).groupSizes).toEqual([2, 1]);
  });

  it('gives a lone process all the cores for decoding', () => {
    expect(planStrategy(media(1080, 1920), 1, laptop({ cpus: 4 }))).toEqual({
      lanes: 1,
      groupSizes: [1],
      decodeThreads: 4,
      slotsPerProcess: 1,
    });
  });

  it('counts what decoding the source takes: on 512 MB a 4K 10-bit source runs alone', () => {
    const uhd = fakeMedia({ width: 2160, height: 3840 });
    const hevc4k = { ...uhd, video: { ...uhd.video, pixFmt: 'yuv420p10le' } };
    expect(planStrategy(hevc4k, 4, small({ cpus: 2 })).lanes).toBe(1);
    // …and takes both slots, so no other source's process runs beside it.
    expect(planStrategy(hevc4k, 4, small({ cpus: 2 })).slotsPerProcess).toBe(2);
    expect(planStrategy(hevc4k, 4, small({ cpus: 2 })).groupSizes).toEqual([1, 1, 1, 1]);
    expect(planStrategy(hevc4k, 4, laptop()).lanes).toBe(2);
  });

  it('obeys explicit fan-out and thread settings', () => {
    expect(planStrategy(media(1080, 1920), 10, laptop({ fanOut: 3 })).groupSizes).toEqual([3, 3, 2, 2]);
    expect(planStrategy(media(1080, 1920), 4, laptop({ fanOut: 1 })).groupSizes).toEqual([1, 1, 1, 1]);
    expect(planStrategy(media(1080, 1920), 4, laptop({ threads: 3 })).decodeThreads).toBe(3);
  });

  it('groups targets in order as the strategy sizes them', () => {
    const strategy = planStrategy(media(540, 960), 10, small());
    expect(groupTargets([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], strategy)).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
  });
});

describe('grouping by estimated work', () => {
  it('balances the cost of the groups while keeping their sizes and each group in order', () => {
    const strategy = planStrategy(media(1080, 1920), 6, laptop({ fanOut: 3 }));
    const costs = [10, 1, 1, 9, 1, 1];
    const groups = groupTargets([0, 1, 2, 3, 4, 5], strategy, (i) => costs[i] as number);
    expect(groups.map((g) => g.length)).toEqual([3, 3]);
    // The two dear outputs land in different processes: loads 12 and 11 instead of 21 and 3.
    expect(groups).toEqual([
      [0, 2, 5],
      [1, 3, 4],
    ]);
  });
});
