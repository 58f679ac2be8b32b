import { describe, expect, it } from 'vitest';
import { engineOptions } from '../../src/media/options.js';
import { fanOutSize, groupTargets } from '../../src/media/render-strategy.js';
import type { MediaInfo } from '../../src/media/types.js';

function media(width: number, height: number): MediaInfo {
  return {
    demuxer: 'mov',
    formatName: 'mov',
    durationSec: 6,
    sizeBytes: 1,
    bitRate: null,
    video: {
      index: 0,
      codec: 'h264',
      profile: null,
      pixFmt: 'yuv420p',
      codedWidth: width,
      codedHeight: height,
      width,
      height,
      rotation: 0,
      fps: 30,
      frameCount: null,
    },
    audio: null,
  };
}

describe('decode-once fan-out size', () => {
  const auto = engineOptions();

  it('renders 1080×1920 one output per process: a second encoder would pass 512 MB', () => {
    expect(fanOutSize(media(1080, 1920), auto)).toBe(1);
    expect(fanOutSize(media(2160, 3840), auto)).toBe(1);
  });

  it('shares one decode between more outputs as frames get smaller', () => {
    expect(fanOutSize(media(720, 1280), auto)).toBe(2);
    expect(fanOutSize(media(540, 960), auto)).toBe(4);
    expect(fanOutSize(media(2160, 3840), engineOptions({ maxLongSide: 960 }))).toBe(4);
  });

  it('obeys an explicit setting', () => {
    expect(fanOutSize(media(1080, 1920), engineOptions({ fanOut: 3 }))).toBe(3);
  });

  it('groups targets in order, the last group taking the rest', () => {
    const groups = groupTargets(media(540, 960), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], auto);
    expect(groups).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
  });
});
