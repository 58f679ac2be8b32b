import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia } from '../../src/media/admission/probe.js';
import { EFFECTS, effectById } from '../../src/media/effects/catalog.js';
import { pictureFilters } from '../../src/media/effects/point-ops.js';
import { engineOptions } from '../../src/media/options.js';
import { expectedDuration, planJob, planSignature } from '../../src/media/plan/planner.js';
import { createRandom } from '../../src/media/plan/random.js';
import { checkRenderFfmpeg, renderRequirements } from '../../src/media/render/ffmpeg-requirements.js';
import { buildRenderCommand } from '../../src/media/render/render-command.js';
import type { MediaInfo, PlannedEffect, VariationPlan } from '../../src/media/types.js';
import { pixelDifference, readFingerprint } from '../../src/media/verify/fingerprint.js';
import { clip } from '../support/clips.js';
import { filterGraphOf, filterNames } from '../support/filtergraph.js';

const run = promisify(execFile);
const OPTIONS = engineOptions({ threads: 1 });
let dir: string;
let counter = 0;

/** At most two FFmpeg processes at a time from this file: the machine has two cores. */
let running = 0;
const waiting: Array<() => void> = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

async function ffmpeg(args: string[], loglevel = 'error') {
  return limited(() => run('ffmpeg', ['-nostdin', '-v', loglevel, ...args], { maxBuffer: 64 << 20 }));
}

function plan(effects: PlannedEffect[], index = 1): VariationPlan {
  return {
    index,
    intensity: 'strong',
    effects,
    encode: { crf: 22, gop: 60, preset: 'ultrafast', x264Params: 'cabac=1:deblock=1', audioBitrateK: 128 },
    signature: planSignature(effects),
  };
}

/** Every command FFmpeg ran here without an error: the start-up check must cover all their filters. */
const ranCommands: string[][] = [];

/** Renders the plans with one command (fan-out when several) and returns the output paths. */
async function render(input: string, media: MediaInfo, plans: VariationPlan[]): Promise<string[]> {
  const targets = plans.map((p) => ({ plan: p, outPath: path.join(dir, `out-${++counter}.mp4`) }));
  const args = buildRenderCommand({ inputPath: input, media, targets, options: OPTIONS, decodeThreads: 1 });
  await ffmpeg(args);
  ranCommands.push(args);
  return targets.map((t) => t.outPath);
}

interface Probed {
  format: { format_name: string; duration: string; tags?: Record<string, string> };
  streams: Array<{
    codec_type: string;
    duration?: string;
    side_data_list?: unknown[];
    tags?: Record<string, string>;
    [field: string]: unknown;
  }>;
}

async function probe(file: string): Promise<Probed> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_format',
    '-show_streams',
    '-of',
    'json',
    file,
  ]);
  return JSON.parse(stdout) as Probed;
}

const STATS = ['YAVG', 'YLOW', 'YHIGH', 'SATAVG', 'UAVG', 'VAVG'] as const;
type Stats = Record<(typeof STATS)[number], number>;

/** Per-frame signalstats averaged over the clip, after optional filters (e.g. a crop). */
async function stats(file: string, before = ''): Promise<Stats> {
  const vf = `${before}signalstats,metadata=mode=print:file=-`;
  const { stdout } = await ffmpeg(['-i', file, '-vf', vf, '-an', '-f', 'null', '-']);
  const mean = (key: string) => {
    const values = [...stdout.matchAll(new RegExp(`lavfi\\.signalstats\\.${key}=([\\d.]+)`, 'g'))].map((m) =>
      Number(m[1]),
    );
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  return Object.fromEntries(STATS.map((key) => [key, mean(key)])) as Stats;
}

/** Average PSNR in dB between two videos, each through its own filter first. */
async function psnr(a: string, b: string, fa = 'null', fb = 'null'): Promise<number> {
  const graph = `[0:v]${fa}[a];[1:v]${fb}[b];[a][b]psnr`;
  const { stderr } = await ffmpeg(['-i', a, '-i', b, '-filter_complex', graph, '-f', 'null', '-'], 'info');
  const match = /PSNR .*average:([\d.]+|inf)/.exec(stderr);
  return match?.[1] === 'inf' ? 100 : Number(match?.[1]);
}

/** RMS level in dBFS of the audio after optional filters. */
async function level(file: string, af = 'anull'): Promise<number> {
  const { stderr } = await ffmpeg(
    ['-i', file, '-af', `${af},volumedetect`, '-vn', '-f', 'null', '-'],
    'info',
  );
  return Number(/mean_volume: (-?[\d.]+) dB/.exec(stderr)?.[1]);
}

/** Dominant frequency of a tone, from zero crossings of the decoded mono signal. */
async function toneHz(file: string): Promise<number> {
  const args = ['-nostdin', '-v', 'error', '-i', file, '-ac', '1', '-ar', '48000', '-f', 'f32le', 'pipe:1'];
  const { stdout } = await limited(() => run('ffmpeg', args, { encoding: 'buffer', maxBuffer: 64 << 20 }));
  const samples = new Float32Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 4);
  const from = 4800; // skip the encoder's priming and the first 100 ms
  let crossings = 0;
  for (let i = from + 1; i < samples.length - 4800; i++) {
    if ((samples[i - 1] as number) < 0 && (samples[i] as number) >= 0) crossings += 1;
  }
  return crossings / ((samples.length - 9600) / 48000);
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let source: string;
let media: MediaInfo;
let baseline: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-effects-'));
  source = clip({ duration: 3 });
  media = await probeMedia(source, OPTIONS);
  [baseline] = (await render(source, media, [plan([])])) as [string];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every effect alone', () => {
  const rng = createRandom('effects-integration');
  const cases = EFFECTS.map((e) => ({ id: e.id, effect: e }));

  it.concurrent.each(cases)(
    '$id renders a valid output of the expected size and length',
    async ({ effect }) => {
      const params = effect.sample(rng.fork(effect.id), 'strong', media);
      const p = plan([{ id: effect.id, params }]);
      const [out] = (await render(source, media, [p])) as [string];
      const { format, streams } = await probe(out);
      const video = streams.find((s) => s.codec_type === 'video');
      const audio = streams.find((s) => s.codec_type === 'audio');
      expect(format.format_name).toContain('mp4');
      expect(video).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: 320, height: 568 });
      expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 2 });
      const expected = expectedDuration(media, p);
      expect(Math.abs(Number(video?.duration) - expected)).toBeLessThan(0.07);
      expect(Math.abs(Number(audio?.duration) - expected)).toBeLessThan(0.07);
      if (effect.kind === 'video') expect(await psnr(out, baseline)).toBeLessThan(45);
    },
  );
});

describe('each effect does what it says', () => {
  const one = async (id: string, params: PlannedEffect['params']) =>
    (await render(source, media, [plan([{ id, params }])]))[0] as string;

  it.concurrent('mirror flips the picture left to right', async () => {
    const out = await one('mirror', {});
    expect(await psnr(out, source, 'null', 'hflip')).toBeGreaterThan(30);
    expect(await psnr(out, source)).toBeLessThan(20);
  });

  it.concurrent('zoom and tilt reframe the picture', async () => {
    for (const [id, params] of [
      ['zoom', { zoom: 1.15, x: 0.8, y: 0.2 }],
      ['tilt', { degrees: -2 }],
    ] as const) {
      expect(await psnr(await one(id, params), baseline)).toBeLessThan(22);
    }
  });

  it.concurrent('tilt turns the picture the way FFmpeg rotate turns it, in one pass', async () => {
    const [tilted] = (await render(source, media, [plan([{ id: 'tilt', params: { degrees: 2 } }])])) as [
      string,
    ];
    // The same turn drawn the costly way: enlarge with scale, then rotate at output size.
    const { width, height } = media.video;
    const enlarge =
      Math.cos(Math.PI / 90) + (Math.max(width, height) / Math.min(width, height)) * Math.sin(Math.PI / 90);
    const even = (v: number) => Math.ceil(v / 2) * 2;
    const rotate = (radians: number) =>
      `scale=${even(width * enlarge)}:${even(height * enlarge)},rotate=${radians}:ow=${width}:oh=${height}`;
    expect(await psnr(tilted, source, 'null', rotate(Math.PI / 90))).toBeGreaterThan(30);
    expect(await psnr(tilted, source, 'null', rotate(-Math.PI / 90))).toBeLessThan(25);
  });

  it.concurrent('tilt enlarges enough that no fill colour shows in the corners', async () => {
    const bars = clip({ source: 'smptebars', duration: 1, audio: 'none' });
    const barsMedia = await probeMedia(bars, OPTIONS);
    const [straight, tilted] = await render(bars, barsMedia, [
      plan([]),
      plan([{ id: 'tilt', params: { degrees: 2.5 } }]),
    ]);
    for (const corner of ['0:0', 'iw-6:0', '0:ih-6', 'iw-6:ih-6']) {
      const crop = `crop=6:6:${corner},`;
      const [a, b] = await Promise.all([stats(straight as string, crop), stats(tilted as string, crop)]);
      expect(b.YAVG).toBeGreaterThan(a.YAVG * 0.6);
    }
  });

  it.concurrent('a run of colour point operations as one lookup table looks like the filters one by one', async () => {
    const run: PlannedEffect[] = [
      { id: 'brightness', params: { brightness: -0.06 } },
      { id: 'contrast', params: { contrast: 1.15 } },
      { id: 'saturation', params: { saturation: 0.8 } },
      { id: 'gamma', params: { gamma: 1.12 } },
      { id: 'temperature', params: { shift: 6 } },
      { id: 'curves', params: { black: 0.04, mid: 0.53, white: 0.96 } },
    ];
    const placed = run.map((e) => ({ definition: effectById(e.id), params: e.params }));
    const ctx = { width: 320, height: 568, fps: 30, durationSec: 3, sampleRate: 48000 };
    const fused = pictureFilters(placed, ctx);
    expect(fused).toHaveLength(1);
    expect(fused[0]).toMatch(/^lutyuv=y='st\(0,val\);/);
    const oneByOne = placed.flatMap((e) => e.definition.videoFilters?.(e.params, ctx) ?? []).join(',');
    // The very same pixels (PSNR infinite): every step is stored as its own filter would store it.
    expect(await psnr(source, source, fused[0], oneByOne)).toBe(100);
    // …and not merely because the changes are too small to see.
    expect(await psnr(source, source, 'null', oneByOne)).toBeLessThan(30);
  });

  it.concurrent('a white border frames the picture', async () => {
    const out = await one('border', { size: 0.05, colour: 'white' });
    expect((await stats(out, 'crop=iw:8:0:0,')).YAVG).toBeGreaterThan(230);
    expect((await stats(baseline, 'crop=iw:8:0:0,')).YAVG).toBeLessThan(200);
  });

  it.concurrent('brightness and gamma move mean luma the way they say', async () => {
    const base = (await stats(baseline)).YAVG;
    expect((await stats(await one('brightness', { brightness: 0.08 }))).YAVG).toBeGreaterThan(base + 10);
    expect((await stats(await one('brightness', { brightness: -0.08 }))).YAVG).toBeLessThan(base - 10);
    expect((await stats(await one('gamma', { gamma: 1.2 }))).YAVG).toBeGreaterThan(base + 3);
  });

  it.concurrent('contrast widens the luma spread; saturation moves SATAVG', async () => {
    const base = await stats(baseline);
    const spread = (s: Stats) => s.YHIGH - s.YLOW;
    expect(spread(await stats(await one('contrast', { contrast: 1.2 })))).toBeGreaterThan(spread(base) * 1.1);
    // 1.3× chroma gain: clipping of the most saturated pixels keeps the mean gain nearer 1.2×.
    expect((await stats(await one('saturation', { saturation: 1.3 }))).SATAVG).toBeGreaterThan(
      base.SATAVG * 1.15,
    );
    expect((await stats(await one('saturation', { saturation: 0.7 }))).SATAVG).toBeLessThan(
      base.SATAVG * 0.8,
    );
  });

  it.concurrent('the tone curve lifts the blacks and rolls off the whites', async () => {
    const base = await stats(baseline);
    const faded = await stats(await one('curves', { black: 0.07, mid: 0.5, white: 0.94 }));
    expect(faded.YLOW).toBeGreaterThan(base.YLOW + 8);
    expect(faded.YHIGH).toBeLessThan(base.YHIGH - 8);
  });

  it.concurrent('a fade starts from plain white or black and leaves later frames untouched', async () => {
    const first = 'trim=end_frame=1,';
    const white = await one('fade-in', { seconds: 0.5, colour: 'white' });
    const black = await one('fade-in', { seconds: 0.5, colour: 'black' });
    expect((await stats(white, first)).YAVG).toBeGreaterThan(230);
    expect((await stats(black, first)).YAVG).toBeLessThan(20);
    // Halfway, half the picture shows through; from 0.5 s on, the picture as the baseline has it.
    const frame = (n: number) => `trim=start_frame=${n}:end_frame=${n + 1},setpts=PTS-STARTPTS`;
    expect(await psnr(white, baseline, frame(7), frame(7))).toBeLessThan(20);
    expect(await psnr(white, baseline, frame(20), frame(20))).toBeGreaterThan(40);
  });

  it.concurrent('sharpen adds fine detail and soften takes it away', async () => {
    // Fine detail is what a blur removes: the less a picture differs from its own blur, the softer.
    const detail = async (file: string) => -(await psnr(file, file, 'null', 'gblur=sigma=1.5'));
    const base = await detail(baseline);
    expect(await detail(await one('sharpen', { amount: 1 }))).toBeGreaterThan(base + 1);
    expect(await detail(await one('soften', { amount: 0.9 }))).toBeLessThan(base - 1);
  });

  it.concurrent('warmer means more red and less blue; a vignette darkens the corners', async () => {
    const base = await stats(baseline);
    const warm = await stats(await one('temperature', { shift: 8 }));
    expect(warm.VAVG).toBeGreaterThan(base.VAVG + 5);
    expect(warm.UAVG).toBeLessThan(base.UAVG - 5);
    const corner = 'crop=40:40:0:0,';
    const vignetted = await stats(await one('vignette', { angle: 0.6 }), corner);
    expect(vignetted.YAVG).toBeLessThan((await stats(baseline, corner)).YAVG - 5);
  });

  it.concurrent('speed changes the duration by the factor, trim cuts the head and tail', async () => {
    const faster = await probe(await one('speed', { factor: 1.1 }));
    expect(Number(faster.format.duration)).toBeCloseTo(3 / 1.1, 1);
    const trimmed = await one('trim', { head: 0.1, tail: 0.1 });
    expect(Number((await probe(trimmed)).format.duration)).toBeCloseTo(2.8, 1);
    // The output starts with the source's fourth frame (0.1 s at 30 fps).
    const frame = (n: number) => `trim=start_frame=${n}:end_frame=${n + 1},setpts=PTS-STARTPTS`;
    expect(await psnr(trimmed, source, frame(0), frame(3))).toBeGreaterThan(30);
    expect(await psnr(trimmed, source, frame(0), frame(0))).toBeLessThan(25);
  });

  it.concurrent('frame-rate change yields a constant rate at the new value', async () => {
    const { streams } = await probe(await one('frame-rate', { fps: 25 }));
    expect(streams[0]).toMatchObject({ r_frame_rate: '25/1', avg_frame_rate: '25/1', nb_frames: '75' });
  });

  it.concurrent('volume, pitch and the noise bed change the sound measurably', async () => {
    const base = await level(baseline);
    expect((await level(await one('volume', { db: -4 }))) - base).toBeCloseTo(-4, 0);
    expect(await toneHz(baseline)).toBeCloseTo(440, -1);
    const pitched = await one('pitch', { semitones: 1.5 });
    expect((await toneHz(pitched)) / 440).toBeCloseTo(2 ** (1.5 / 12), 2);
    expect(Number((await probe(pitched)).format.duration)).toBeCloseTo(3, 1);
    const hiss = 'highpass=f=5000,highpass=f=5000,highpass=f=5000';
    const noisy = await one('noise-bed', { amplitude: 0.005, colour: 'white', seed: 11 });
    expect(await level(noisy, hiss)).toBeGreaterThan((await level(baseline, hiss)) + 10);
  });

  it.concurrent('the equaliser lifts or cuts its band of a broadband sound', async () => {
    const noiseClip = path.join(dir, 'pink.mp4');
    const pink = ['-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.3:seed=5:duration=3'];
    await ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc2=size=160x284:rate=30:duration=3', ...pink],
      '-shortest',
      noiseClip,
    ]);
    const noiseMedia = await probeMedia(noiseClip, OPTIONS);
    const plans = [
      plan([]),
      plan([{ id: 'eq', params: { band: 'bass', gain: 6 } }]),
      plan([{ id: 'eq', params: { band: 'treble', gain: -6 } }]),
    ];
    const [flat, bass, treble] = (await render(noiseClip, noiseMedia, plans)) as [string, string, string];
    const low = 'lowpass=f=60,lowpass=f=60';
    const high = 'highpass=f=10000,highpass=f=10000';
    expect((await level(bass, low)) - (await level(flat, low))).toBeGreaterThan(3);
    expect((await level(treble, high)) - (await level(flat, high))).toBeLessThan(-3);
  });
});

describe('what every output looks like from outside', () => {
  const planned = (input: MediaInfo, seed: string, count: number) =>
    planJob({ seed, intensity: 'strong', count, sources: [input], preset: 'veryfast' })[0] as VariationPlan[];

  it.concurrent('a rotated phone clip comes out upright, sides swapped, with no rotation metadata', async () => {
    const rotated = clip({ rotate: 90 });
    const info = await probeMedia(rotated, OPTIONS);
    expect(info.video).toMatchObject({ codedWidth: 320, codedHeight: 568, width: 568, height: 320 });
    const [out] = (await render(rotated, info, [plan([])])) as [string];
    const { streams } = await probe(out);
    expect(streams[0]).toMatchObject({ width: 568, height: 320 });
    expect(streams[0]?.side_data_list ?? []).toEqual([]);
    expect(streams[0]?.tags?.rotate).toBeUndefined();
    // FFmpeg shows the source rotated too; the output matches it pixel for pixel (minus encoding).
    expect(await psnr(out, rotated)).toBeGreaterThan(30);
  });

  it.concurrent('a silent clip gives a silent output: no audio stream at all', async () => {
    const silent = clip({ audio: 'none' });
    const info = await probeMedia(silent, OPTIONS);
    const [out] = (await render(silent, info, planned(info, 'silent', 1))) as [string];
    expect((await probe(out)).streams.map((s) => s.codec_type)).toEqual(['video']);
  });

  it.concurrent('odd sizes, 4:4:4 video and 8 kHz mono come out as even 4:2:0 and 48 kHz stereo', async () => {
    const odd = path.join(dir, 'odd.mp4');
    const lavfi = [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x568:duration=1',
      '-f',
      'lavfi',
      '-i',
      'sine=sample_rate=8000:duration=1',
    ];
    await ffmpeg([
      ...lavfi,
      '-vf',
      'scale=333:591',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv444p',
      '-ac',
      '1',
      odd,
    ]);
    const info = await probeMedia(odd, OPTIONS);
    const [out] = (await render(odd, info, planned(info, 'odd', 1))) as [string];
    const { streams } = await probe(out);
    expect(streams[0]).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: 334, height: 592 });
    expect(streams[1]).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 2 });
  });

  it.concurrent('a variable frame rate source comes out at a constant rate', async () => {
    const vfr = clip({ vfr: true });
    const info = await probeMedia(vfr, OPTIONS);
    const [out] = (await render(vfr, info, [plan([])])) as [string];
    expect((await probe(out)).streams[0]).toMatchObject({ r_frame_rate: '30/1', avg_frame_rate: '30/1' });
  });

  it.concurrent('a 29.97 fps source keeps the exact NTSC rate players expect', async () => {
    const ntsc = clip({ fps: 29.97, duration: 1, audio: 'none' });
    const info = await probeMedia(ntsc, OPTIONS);
    const [out] = (await render(ntsc, info, [plan([])])) as [string];
    expect((await probe(out)).streams[0]).toMatchObject({ r_frame_rate: '30000/1001' });
  });

  it.concurrent('a clip that changes size mid-way keeps its whole length after a trim', async () => {
    // FFmpeg rebuilds the filter graph at the size change; the trim must not restart its clock.
    const parts = [path.join(dir, 'big.ts'), path.join(dir, 'small.ts')];
    for (const [i, size] of ['320x568', '240x426'].entries()) {
      const offset = ['-output_ts_offset', String(i)];
      await ffmpeg([
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=${size}:duration=1`,
        '-pix_fmt',
        'yuv420p',
        ...offset,
        parts[i] as string,
      ]);
    }
    const joined = path.join(dir, 'joined.ts');
    writeFileSync(joined, Buffer.concat(parts.map((p) => readFileSync(p))));
    const info = await probeMedia(joined, OPTIONS);
    const trimmed = plan([{ id: 'trim', params: { head: 0.1, tail: 0.1 } }]);
    const [out] = (await render(joined, info, [trimmed])) as [string];
    expect(Number((await probe(out)).format.duration)).toBeCloseTo(expectedDuration(info, trimmed), 1);
  });

  it.concurrent('carries no creation time, no source metadata and no encoder version', async () => {
    const { format, streams } = await probe(baseline);
    expect(format.tags?.encoder).toBeUndefined();
    expect(format.tags?.creation_time).toBeUndefined();
    for (const s of streams) {
      expect(s.tags?.creation_time).toBeUndefined();
      // The MP4 sample entry keeps a bare compressor name under bitexact, never a version.
      expect([undefined, 'Lavc libx264']).toContain(s.tags?.encoder);
    }
    const bytes = readFileSync(baseline).toString('latin1');
    expect(bytes).not.toMatch(/Lavf\d|Lavc\d|x264 - core|options: cabac/);
  });

  it.concurrent('renders the same plan to the same bytes, alone or inside a fan-out', async () => {
    const plans = planned(media, 'bytes', 3);
    const grainy = plan([
      ...(plans[0] as VariationPlan).effects.filter((e) => e.id !== 'grain' && e.id !== 'noise-bed'),
      { id: 'grain', params: { strength: 8, seed: 42 } },
      { id: 'noise-bed', params: { amplitude: 0.004, colour: 'pink', seed: 9 } },
    ]);
    const [first] = (await render(source, media, [grainy])) as [string];
    const [second] = (await render(source, media, [grainy])) as [string];
    expect(sha(first)).toBe(sha(second));
    const [, inFanOut] = (await render(source, media, [plans[1] as VariationPlan, grainy])) as [
      string,
      string,
    ];
    expect(sha(inFanOut)).toBe(sha(first));
  });

  it.concurrent('a three-target fan-out renders three valid, visibly different files in one run', async () => {
    const plans = planned(media, 'fan-out', 3);
    const outs = await render(source, media, plans);
    for (const [i, out] of outs.entries()) {
      const { format, streams } = await probe(out);
      expect(streams.map((s) => s.codec_type)).toEqual(['video', 'audio']);
      // Within a frame: the constant-rate conversion rounds the last one.
      expect(
        Math.abs(Number(format.duration) - expectedDuration(media, plans[i] as VariationPlan)),
      ).toBeLessThan(0.05);
    }
    expect(new Set(outs.map(sha)).size).toBe(3);
    // Frame by frame, every pair differs clearly: framing, colour and timing all change.
    const [a, b, c] = outs as [string, string, string];
    for (const [x, y] of [
      [a, b],
      [b, c],
      [a, c],
    ] as const)
      expect(await psnr(x, y)).toBeLessThan(25);
  });

  it.concurrent('writes a thumbnail and fingerprints as side outputs of the render itself', async () => {
    const out = path.join(dir, 'sides.mp4');
    const sides = { fingerprintPath: `${out}.fp`, thumbnailPath: `${out}.jpg` };
    const sourceFingerprintPath = path.join(dir, 'sides-source.fp');
    const args = buildRenderCommand({
      inputPath: source,
      media,
      targets: [{ plan: plan([]), outPath: out, ...sides }],
      options: OPTIONS,
      decodeThreads: 1,
      sourceFingerprintPath,
    });
    await ffmpeg(args);
    ranCommands.push(args);
    const { streams } = await probe(sides.thumbnailPath);
    expect(streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 320, height: 568 });
    // Five grey 16×16 frames each; an untouched re-encode looks like its source.
    const sourcePrint = await readFingerprint(sourceFingerprintPath);
    const outputPrint = await readFingerprint(sides.fingerprintPath);
    expect(sourcePrint.frames).toHaveLength(5);
    expect(outputPrint.frames).toHaveLength(5);
    expect(pixelDifference(sourcePrint, outputPrint)).toBeLessThan(2);
    expect(sha(out)).toBe(sha(baseline));
  });
});

describe('the start-up check of FFmpeg', () => {
  // Runs after the renders above (vitest runs a file's describe blocks in order).
  it('asks for every filter of every command rendered here: each effect alone, a fan-out, side outputs', async () => {
    const required = renderRequirements();
    const used = new Set(ranCommands.flatMap((args) => filterNames(filterGraphOf(args))));
    expect(ranCommands.length).toBeGreaterThan(EFFECTS.length);
    expect([...used].filter((name) => !required.filters.includes(name))).toEqual([]);
    // Every effect's own filters turned up in a command FFmpeg ran.
    for (const effect of EFFECTS) for (const name of effect.filters) expect(used).toContain(name);
    // And this FFmpeg build has them all.
    expect((await checkRenderFfmpeg(OPTIONS)).missing).toEqual([]);
  });
});
