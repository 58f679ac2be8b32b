import { describe, expect, it } from 'vitest';
import { DEMUXER_WHITELIST } from '../../src/media/ffmpeg/demuxers.js';
import { engineOptions } from '../../src/media/options.js';
import { outputGeometry } from '../../src/media/plan/output-format.js';
import { planSignature } from '../../src/media/plan/planner.js';
import { buildRenderCommand, rateText } from '../../src/media/render/render-command.js';
import type { EncodeSettings, PlannedEffect, VariationPlan } from '../../src/media/types.js';
import { fakeMedia } from '../support/fake-media.js';

function plan(index: number, effects: PlannedEffect[], encode: Partial<EncodeSettings> = {}): VariationPlan {
  return {
    index,
    intensity: 'medium',
    effects,
    encode: {
      crf: 22,
      gop: 60,
      preset: 'ultrafast',
      x264Params: 'cabac=1:deblock=1',
      audioBitrateK: 128,
      ...encode,
    },
    signature: planSignature(effects),
  };
}

/** Inputs open as admission opened them: forced demuxer, allow-listed formats, file protocol only. */
function opened(demuxer: string, file: string): string[] {
  return [
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    DEMUXER_WHITELIST,
    '-f',
    demuxer,
    '-i',
    `file:${file}`,
  ];
}

/** The per-output arguments every render shares, for an output with or without audio. */
function outputTail(o: { crf: number; gop: number; maxrate: string; bufsize: string; audio?: string }) {
  return [
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', String(o.crf), '-g', String(o.gop)],
    ...['-maxrate', o.maxrate, '-bufsize', o.bufsize, '-pix_fmt', 'yuv420p'],
    ...[
      // Encoders are single-threaded whatever the decoder's threads: bytes independent of the machine.
      '-threads',
      '1',
      '-fps_mode',
      'cfr',
      '-flags:v',
      '+bitexact',
      '-x264-params',
      'cabac=1:deblock=1',
      '-bsf:v',
      'filter_units=remove_types=6',
    ],
    ...(o.audio
      ? [
          '-c:a',
          'aac',
          '-b:a',
          o.audio,
          '-ar',
          '48000',
          '-ac',
          '2',
          '-aac_coder',
          'fast',
          '-flags:a',
          '+bitexact',
        ]
      : []),
    ...[
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-fflags',
      '+bitexact',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
    ],
  ];
}

describe('buildRenderCommand', () => {
  it('builds a single-output command: probed demuxer, file-only input, one graph, first streams only', () => {
    const source = fakeMedia({ width: 1080, height: 1920 });
    const target = plan(1, [
      { id: 'speed', params: { factor: 1.05 } },
      { id: 'zoom', params: { zoom: 1.1, x: 0.25, y: 0.75 } },
      { id: 'brightness', params: { brightness: 0.05 } },
      { id: 'volume', params: { db: -2 } },
    ]);
    const args = buildRenderCommand({
      inputPath: '/data/uploads/src.src',
      media: source,
      targets: [{ plan: target, outPath: '/data/work/out-1.mp4' }],
      options: engineOptions({}),
      decodeThreads: 1,
    });
    expect(args).toEqual([
      ...['-y', '-threads', '1', ...opened('mov', '/data/uploads/src.src')],
      '-filter_complex_threads',
      '1',
      '-filter_complex',
      '[0:0]scale=1080:1920,format=yuv420p,setsar=1,setpts=PTS/1.05,fps=30,tpad=stop_mode=clone:stop=3,' +
        'crop=982:1746:25:131,scale=1080:1920,eq=brightness=0.05,setsar=1[v0];' +
        '[0:1]aformat=sample_rates=48000:channel_layouts=stereo,atempo=1.05,volume=-2dB[a0]',
      ...['-map', '[v0]', '-map', '[a0]', '-t', '14.286'],
      ...outputTail({ crf: 22, gop: 60, maxrate: '7465k', bufsize: '14930k', audio: '128k' }),
      'file:/data/work/out-1.mp4',
    ]);
  });

  it('renders a rotated 4K phone clip without audio at 1080x1920, trimmed, re-timed, mirrored, grained', () => {
    const source = fakeMedia({
      codedWidth: 3840,
      codedHeight: 2160,
      width: 2160,
      height: 3840,
      rotation: 90,
      fps: 59.94,
      durationSec: 10,
      videoIndex: 1,
      audioIndex: null,
    });
    const target = plan(
      2,
      // Out of catalogue order on purpose: the chain still trims before it re-times and flips.
      [
        { id: 'grain', params: { strength: 5, seed: 1234 } },
        { id: 'mirror', params: {} },
        { id: 'frame-rate', params: { fps: 50 } },
        { id: 'trim', params: { head: 0.05, tail: 0.1 } },
      ],
      { crf: 21, gop: 100 },
    );
    const args = buildRenderCommand({
      inputPath: '/data/uploads/phone.src',
      media: source,
      targets: [{ plan: target, outPath: '/data/work/out-2.mp4' }],
      options: engineOptions({ maxLongSide: 1920 }),
      decodeThreads: 2,
    });
    expect(args).toEqual([
      ...['-y', '-threads', '2', ...opened('mov', '/data/uploads/phone.src')],
      '-filter_complex_threads',
      '2',
      '-filter_complex',
      '[0:1]scale=1080:1920,format=yuv420p,setsar=1,trim=start=0.05:end=9.9,setpts=PTS-0.05/TB,fps=50,tpad=stop_mode=clone:stop=3,' +
        'hflip,noise=c0s=5:c0f=t+u:c0_seed=1234,setsar=1[v0]',
      ...['-map', '[v0]', '-t', '9.85'],
      ...outputTail({ crf: 21, gop: 100, maxrate: '12442k', bufsize: '24884k' }),
      'file:/data/work/out-2.mp4',
    ]);
  });

  it('decodes once and fans out to three outputs with split/asplit, mixing a seeded noise bed where planned', () => {
    const source = fakeMedia({ width: 640, height: 360, fps: 25, demuxer: 'matroska', audioIndex: 2 });
    const targets = [
      plan(1, [
        { id: 'border', params: { size: 0.05, colour: 'white' } },
        { id: 'hue', params: { degrees: -6 } },
        { id: 'pitch', params: { semitones: 1 } },
      ]),
      plan(
        2,
        [
          { id: 'tilt', params: { degrees: 2 } },
          { id: 'eq', params: { band: 'bass', gain: 3 } },
          { id: 'noise-bed', params: { amplitude: 0.003, colour: 'pink', seed: 7 } },
        ],
        { crf: 24, gop: 50, audioBitrateK: 160 },
      ),
      plan(3, [{ id: 'zoom', params: { zoom: 1.05, x: 0.5, y: 0.5 } }], {
        crf: 20,
        gop: 75,
        audioBitrateK: 112,
      }),
    ];
    const args = buildRenderCommand({
      inputPath: '/in/ad.mkv',
      media: source,
      targets: targets.map((p) => ({ plan: p, outPath: `/out/${p.index}.mp4` })),
      options: engineOptions({}),
      decodeThreads: 0,
    });
    const graph = [
      '[0:0]scale=640:360,format=yuv420p,setsar=1,split=3[vs0][vs1][vs2]',
      '[vs0]fps=25,tpad=stop_mode=clone:stop=3,scale=576:324,pad=640:360:32:18:white,hue=h=-6,setsar=1[v0]',
      '[vs1]fps=25,tpad=stop_mode=clone:stop=3,perspective=x0=12.786:y0=21.043:x1=615.377:y1=0:x2=24.623:y2=360:x3=627.214:y3=338.957:interpolation=linear,setsar=1[v1]',
      '[vs2]fps=25,tpad=stop_mode=clone:stop=3,crop=610:342:15:9,scale=640:360,setsar=1[v2]',
      '[0:2]aformat=sample_rates=48000:channel_layouts=stereo,asplit=3[as0][as1][as2]',
      '[as0]asetrate=50854,aresample=48000,atempo=0.943879[a0]',
      '[as1]bass=g=3:f=110[a1d0]',
      'anoisesrc=sample_rate=48000:amplitude=0.003:color=pink:seed=7,aformat=channel_layouts=stereo[a1w0]',
      '[a1d0][a1w0]amix=inputs=2:duration=first:normalize=0[a1]',
      '[as2]anull[a2]',
    ].join(';');
    const tail = (crf: number, gop: number, audio: string) =>
      outputTail({ crf, gop, maxrate: '691k', bufsize: '1382k', audio });
    expect(args).toEqual([
      ...['-y', '-threads', '0', ...opened('matroska', '/in/ad.mkv')],
      ...['-filter_complex_threads', '0', '-filter_complex', graph],
      ...['-map', '[v0]', '-map', '[a0]', '-t', '15', ...tail(22, 60, '128k'), 'file:/out/1.mp4'],
      ...['-map', '[v1]', '-map', '[a1]', '-t', '15', ...tail(24, 50, '160k'), 'file:/out/2.mp4'],
      ...['-map', '[v2]', '-map', '[a2]', '-t', '15', ...tail(20, 75, '112k'), 'file:/out/3.mp4'],
    ]);
  });

  it('is a pure function of its request', () => {
    const req = {
      inputPath: '/a.mp4',
      media: fakeMedia({ width: 720, height: 1280 }),
      targets: [{ plan: plan(1, [{ id: 'gamma', params: { gamma: 1.1 } }]), outPath: '/b.mp4' }],
      options: engineOptions(),
      decodeThreads: 1,
    };
    expect(buildRenderCommand(req)).toEqual(buildRenderCommand(structuredClone(req)));
    expect(() => buildRenderCommand({ ...req, targets: [] })).toThrow(/at least one target/);
    const unknown = [{ plan: plan(1, [{ id: 'sepia-2099', params: {} }]), outPath: '/b.mp4' }];
    expect(() => buildRenderCommand({ ...req, targets: unknown })).toThrow(/unknown effect/);
  });
});

describe('rateText', () => {
  it('writes NTSC rates as exact fractions and every other rate as it is', () => {
    expect(['29.97', '23.976', '59.94', '30', '25', '12.5', '13.2'].map((r) => rateText(Number(r)))).toEqual([
      '30000/1001',
      '24000/1001',
      '60000/1001',
      '30',
      '25',
      '12.5',
      '13.2',
    ]);
  });
});

describe('side outputs', () => {
  it('branches a fingerprint of the source and, per variation, a fingerprint and a thumbnail from decoded frames', () => {
    const source = fakeMedia({ width: 1080, height: 1920, durationSec: 15, audioIndex: null });
    const args = buildRenderCommand({
      inputPath: '/s.src',
      media: source,
      targets: [
        { plan: plan(1, []), outPath: '/w/o.mp4', fingerprintPath: '/w/o.fp', thumbnailPath: '/w/o.jpg' },
      ],
      options: engineOptions({}),
      decodeThreads: 1,
      sourceFingerprintPath: '/w/s.fp',
    });
    const sampler =
      'trim=start=1.500,setpts=PTS-STARTPTS,fps=0.333333,trim=end_frame=5,scale=16:16:flags=area,setsar=1,format=gray';
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      [
        '[0:0]scale=1080:1920,format=yuv420p,setsar=1,split=2[vs0][vsfp]',
        `[vsfp]${sampler}[sfp]`,
        '[vs0]fps=30,tpad=stop_mode=clone:stop=3,setsar=1,split=3[v0][v0fp][v0th]',
        `[v0fp]${sampler}[v0fpo]`,
        '[v0th]trim=start=1,trim=end_frame=1,scale=360:-2[v0tho]',
      ].join(';'),
    );
    const tail = args.slice(args.indexOf('file:/w/o.mp4') + 1);
    expect(tail).toEqual([
      ...['-map', '[v0fpo]', '-frames:v', '5', '-f', 'rawvideo', 'file:/w/o.fp'],
      ...['-map', '[v0tho]', '-frames:v', '1', '-q:v', '3', '-flags:v', '+bitexact'],
      ...['-fflags', '+bitexact', '-f', 'image2', '-update', '1', 'file:/w/o.jpg'],
      ...['-map', '[sfp]', '-frames:v', '5', '-f', 'rawvideo', 'file:/w/s.fp'],
    ]);
  });
});

describe('outputGeometry', () => {
  it('keeps a 1080x1920 source as it is', () => {
    expect(outputGeometry(fakeMedia({ width: 1080, height: 1920 }), 1920)).toEqual({
      width: 1080,
      height: 1920,
      fps: 30,
    });
  });

  it('brings a 4K portrait source down to a long side of 1920', () => {
    expect(outputGeometry(fakeMedia({ width: 2160, height: 3840, fps: 60 }), 1920)).toEqual({
      width: 1080,
      height: 1920,
      fps: 60,
    });
    expect(outputGeometry(fakeMedia({ width: 3840, height: 2160 }), 1280)).toEqual({
      width: 1280,
      height: 720,
      fps: 30,
    });
  });

  it('makes odd sizes even, without ever passing the cap', () => {
    expect(outputGeometry(fakeMedia({ width: 321, height: 567 }), 1920)).toMatchObject({
      width: 322,
      height: 568,
    });
    expect(outputGeometry(fakeMedia({ width: 1081, height: 1081 }), 1081)).toMatchObject({
      width: 1080,
      height: 1080,
    });
    expect(outputGeometry(fakeMedia({ width: 1, height: 3 }), 1920)).toMatchObject({ width: 2, height: 4 });
  });

  it('uses the displayed size of a rotated source, not its coded size', () => {
    const rotated = fakeMedia({
      codedWidth: 1920,
      codedHeight: 1080,
      width: 1080,
      height: 1920,
      rotation: 90,
    });
    expect(outputGeometry(rotated, 1920)).toMatchObject({ width: 1080, height: 1920 });
  });

  it('keeps the source frame rate, capped at 60, with a floor for nonsense rates', () => {
    const at = (fps: number) => outputGeometry(fakeMedia({ width: 640, height: 360, fps }), 1920).fps;
    expect(at(29.97002997)).toBe(29.97);
    expect(at(120)).toBe(60);
    expect(at(3)).toBe(10);
    expect(at(0)).toBe(30);
    expect(at(Number.NaN)).toBe(30);
    expect(at(90_000)).toBe(30);
  });
});
