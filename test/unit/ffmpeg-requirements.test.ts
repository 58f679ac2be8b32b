import { describe, expect, it } from 'vitest';
import { parseFfmpegVersion } from '../../src/media/ffmpeg/version.js';
import { engineOptions } from '../../src/media/options.js';
import { planJob } from '../../src/media/plan/planner.js';
import { renderRequirements } from '../../src/media/render/ffmpeg-requirements.js';
import { buildRenderCommand } from '../../src/media/render/render-command.js';
import { INTENSITIES } from '../../src/media/types.js';
import { fakeMedia } from '../support/fake-media.js';
import { filterGraphOf, filterNames } from '../support/filtergraph.js';

describe('the FFmpeg filters vidvar requires', () => {
  const required = renderRequirements();

  it('are derived from what the commands use, not from a hand-kept list', () => {
    for (const used of [
      'perspective',
      'convolution',
      'lutyuv',
      'pad',
      'anoisesrc',
      'amix',
      'aformat',
      'tpad',
    ]) {
      expect(required.filters).toContain(used);
    }
    // Filters an older list demanded that no command writes any more.
    for (const unused of ['rotate', 'curves', 'unsharp', 'gblur', 'colortemperature', 'concat']) {
      expect(required.filters).not.toContain(unused);
    }
    expect(required.encoders).toEqual(['libx264', 'aac', 'mjpeg', 'rawvideo']);
    expect(required.bitstreamFilters).toEqual(['filter_units']);
  });

  it('cover every filter of 600 planned variations, fanned out with their side outputs', () => {
    const options = engineOptions({ maxLongSide: 480 });
    const sources = [
      fakeMedia({ width: 1080, height: 1920, durationSec: 12 }),
      fakeMedia({ width: 640, height: 360, durationSec: 4, audioIndex: null }),
    ];
    const seen = new Set<string>();
    for (const intensity of INTENSITIES) {
      const plans = planJob({
        seed: `filters-${intensity}`,
        intensity,
        count: 100,
        sources,
        preset: 'ultrafast',
      });
      for (const [s, media] of sources.entries()) {
        const targets = (plans[s] ?? []).map((plan) => ({
          plan,
          outPath: `/w/${plan.index}.mp4`,
          fingerprintPath: `/w/${plan.index}.fp`,
          thumbnailPath: `/w/${plan.index}.jpg`,
        }));
        for (let i = 0; i < targets.length; i += 5) {
          const args = buildRenderCommand({
            inputPath: '/w/source.mp4',
            media,
            targets: targets.slice(i, i + 5),
            options,
            decodeThreads: 1,
            sourceFingerprintPath: '/w/source.fp',
          });
          for (const name of filterNames(filterGraphOf(args))) seen.add(name);
        }
      }
    }
    expect([...seen].filter((name) => !required.filters.includes(name))).toEqual([]);
    // The commands did use the effects' filters, so the check above had something to hold.
    expect(seen.size).toBeGreaterThan(20);
  });

  it('parses filter names out of quoted arguments and labels', () => {
    expect(filterNames("[0:0]scale=2:2,lutyuv=y='clip(val,16,235)':u=val[v0];[v0]split=2[a][b]")).toEqual([
      'scale',
      'lutyuv',
      'split',
    ]);
  });

  it('reads the version out of `ffmpeg -version`', () => {
    expect(
      parseFfmpegVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers\n'),
    ).toBe('5.1.9-0+deb12u1');
    expect(parseFfmpegVersion('ffmpeg version n7.1 Copyright (c) 2000-2024\nbuilt with gcc')).toBe('n7.1');
  });
});
