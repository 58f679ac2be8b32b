import { describe, expect, it } from 'vitest';
import { parseFfmpegVersion } from '../../src/media/ffmpeg/version.js';
import { engineOptions } from '../../src/media/options.js';
import { FITS, FORMATS } from '../../src/media/plan/placement.js';
import { planJob } from '../../src/media/plan/planner.js';
import { renderRequirements } from '../../src/media/render/ffmpeg-requirements.js';
import { buildRenderCommand, type RenderCommandTarget } from '../../src/media/render/render-command.js';
import { sourceStillArgs } from '../../src/media/render/source-still.js';
import { INTENSITIES, type MediaInfo } from '../../src/media/types.js';
import { frameHashArgs } from '../../src/media/verify/frame-hash-command.js';
import { loudnessArgs } from '../../src/media/verify/loudness.js';
import { fakeMedia } from '../support/fake-media.js';
import { commandFilterNames, filterGraphOf, filterNames } from '../support/filtergraph.js';

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

  it('cover every variant of the command: placements in all five formats, each fit, loudness, hash branches, HDR', () => {
    const options = engineOptions({ maxLongSide: 480 });
    const hdr = fakeMedia({ width: 1080, height: 1920, durationSec: 6 });
    hdr.video.hdr = { transfer: 'arib-std-b67', primaries: 'bt2020', matrix: 'bt2020nc' };
    const sources: MediaInfo[] = [
      fakeMedia({ width: 1080, height: 1920, durationSec: 12 }),
      fakeMedia({ width: 640, height: 360, durationSec: 4, audioIndex: null }),
      hdr,
    ];
    const loudness = { targetLufs: -14, sourceLufs: -23.5, truePeakDb: -1 };
    const seen = new Set<string>();
    const note = (args: readonly string[]) => {
      for (const name of commandFilterNames(args)) seen.add(name);
    };
    for (const intensity of INTENSITIES) {
      const plans = planJob({
        seed: `variants-${intensity}`,
        intensity,
        count: 12,
        sources,
        preset: 'ultrafast',
      });
      for (const [s, media] of sources.entries()) {
        for (const fit of FITS) {
          const layout = { fit, padColour: '0x336699' };
          const targets: RenderCommandTarget[] = (plans[s] ?? []).map((plan) => ({
            plan,
            outPath: `/w/${plan.index}.mp4`,
            fingerprintPath: `/w/${plan.index}.fp`,
            hashTarget: `unix:/tmp/${plan.index}.sock`,
            // Every format, with a thumbnail on every other placement; one target with a single placement.
            placements: (plan.index % 4 === 0 ? FORMATS.slice(1, 2) : FORMATS).map((format, j) => ({
              format,
              outPath: `/w/${plan.index}-${format}.mp4`,
              ...(j % 2 === 0 ? { thumbnailPath: `/w/${plan.index}-${format}.jpg` } : {}),
            })),
          }));
          const base = { inputPath: '/w/source.mp4', media, options, decodeThreads: 1, layout, loudness };
          // Fanned out with the source's own side branches, and one target alone (no split).
          note(
            buildRenderCommand({
              ...base,
              targets,
              sourceFingerprintPath: '/w/source.fp',
              sourceHashTarget: 'unix:/tmp/source.sock',
            }),
          );
          note(buildRenderCommand({ ...base, targets: targets.slice(0, 1) }));
        }
        note(loudnessArgs('/w/source.mp4', media.demuxer, '/w/source.r128'));
        note(sourceStillArgs('/w/source.mp4', media, '/w/source.jpg'));
        note(
          frameHashArgs({
            file: '/w/source.mp4',
            demuxer: media.demuxer,
            streamIndex: media.video.index,
            width: media.video.width,
            height: media.video.height,
            fps: 4,
            maxSide: 512,
            format: 'gray',
            target: 'unix:/tmp/hash.sock',
          }),
        );
      }
    }
    expect([...seen].filter((name) => !required.filters.includes(name))).toEqual([]);
    // Each variant did reach the commands, so the check above held something of it.
    for (const name of ['pad', 'boxblur', 'overlay', 'crop', 'volume', 'alimiter', 'zscale', 'tonemap']) {
      expect(seen).toContain(name);
    }
    for (const name of ['extractplanes', 'ebur128', 'ametadata']) expect(seen).toContain(name);
  });

  it('cover the loudness measurement run on every source and output', () => {
    const names = commandFilterNames(loudnessArgs('/w/source.mp4', 'mov', '/w/source.r128'));
    expect(names).toEqual(['ebur128', 'ametadata']);
    expect(names.filter((name) => !required.filters.includes(name))).toEqual([]);
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
