import { describe, expect, it } from 'vitest';
import { engineOptions } from '../../src/media/options.js';
import { fanOutSize, groupTargets } from '../../src/media/render-strategy.js';
import { fakeMedia } from '../support/fake-media.js';

const media = (width: number, height: number) => fakeMedia({ width, height });
const MB = 1024 * 1024;
const small = (o = {}) => engineOptions({ machineMemoryBytes: 512 * MB, ...o });
const laptop = (o = {}) => engineOptions({ machineMemoryBytes: 16 * 1024 * MB, ...o });

describe('decode-once fan-out size', () => {
  it('on a 512 MB machine renders 1080×1920 and 720×1280 one output per process', () => {
    expect(fanOutSize(media(1080, 1920), small())).toBe(1);
    expect(fanOutSize(media(2160, 3840), small())).toBe(1);
    expect(fanOutSize(media(720, 1280), small())).toBe(1);
    expect(fanOutSize(media(1080, 1920), small({ preset: 'ultrafast' }))).toBe(1);
  });

  it('shares one decode between more outputs as frames get smaller', () => {
    expect(fanOutSize(media(540, 960), small())).toBe(3);
    expect(fanOutSize(media(1080, 1920), small({ maxLongSide: 480 }))).toBe(4);
  });

  it('with memory to spare shares a decode between two large outputs, never more', () => {
    expect(fanOutSize(media(1080, 1920), laptop())).toBe(2);
    expect(fanOutSize(media(540, 960), laptop())).toBe(4);
  });

  it('counts what decoding the source takes: on 512 MB a 4K source leaves no room for a second encoder', () => {
    const uhd = fakeMedia({ width: 2160, height: 3840 });
    const hevc4k = { ...uhd, video: { ...uhd.video, pixFmt: 'yuv420p10le' } };
    expect(fanOutSize(uhd, small({ maxLongSide: 480 }))).toBe(1);
    expect(fanOutSize(hevc4k, small({ maxLongSide: 480 }))).toBe(1);
    expect(fanOutSize(hevc4k, laptop({ maxLongSide: 480 }))).toBe(4);
  });

  it('obeys an explicit setting', () => {
    expect(fanOutSize(media(1080, 1920), small({ fanOut: 3 }))).toBe(3);
  });

  it('groups targets in order, the last group taking the rest', () => {
    const groups = groupTargets(media(540, 960), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], laptop());
    expect(groups).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
  });
});
