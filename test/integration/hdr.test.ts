/** HDR sources (PQ and HLG, 10-bit BT.2020) come out as SDR BT.709: tone-mapped, tagged BT.709, not washed out. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { engineOptions } from '../../src/media/options.js';
import { outputGeometry } from '../../src/media/plan/output-format.js';
import { renderVariations } from '../../src/media/render/render.js';
import type { MediaInfo, VariationPlan } from '../../src/media/types.js';
import { CORPUS_DIR, ffmpegFile } from '../support/clips.js';

const run = promisify(execFile);
const OPTIONS = engineOptions({ maxLongSide: 640, cpus: 1 });
const work = mkdtempSync(path.join(os.tmpdir(), 'vidvar-hdr-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A 10-bit HEVC HLG clip, tagged as a phone tags it. */
const HLG_TAGS = ['-color_primaries', 'bt2020', '-color_trc', 'arib-std-b67', '-colorspace', 'bt2020nc'];
const hlgClip = () =>
  ffmpegFile('hlg-hevc10-640x360.mp4', [
    ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=1.5'],
    ...['-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-tag:v', 'hvc1'],
    ...['-x265-params', 'log-level=error:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc'],
    ...HLG_TAGS,
  ]);
/** The same pictures as an iPhone stores them: QuickTime, turned 90° by the display matrix. */
const iphoneClip = () =>
  ffmpegFile('hlg-hevc10-rot90.mov', ['-i', hlgClip(), '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);

const CORPUS_PQ = path.join(CORPUS_DIR, 'variations', 'vertical_720x1280_av1_hdr10_pq.mp4');

/** A variation with no effects: what comes out differs from the source by the tone mapping alone. */
const PLAIN: VariationPlan = {
  index: 1,
  intensity: 'subtle',
  effects: [],
  encode: { crf: 20, gop: 30, preset: 'ultrafast', x264Params: '', audioBitrateK: 128 },
  signature: 'plain',
};

async function renderPlain(file: string): Promise<{ out: string; media: MediaInfo }> {
  const media = await admitMedia(file, path.basename(file), OPTIONS);
  const dir = mkdtempSync(path.join(work, 'out-'));
  const target = { outputId: 'v1', plan: PLAIN, workPath: `${dir}/w.mp4`, finalPath: `${dir}/v1.mp4` };
  const [result] = await renderVariations({
    inputPath: file,
    media,
    targets: [target],
    options: OPTIONS,
    guarantee: false,
  });
  if (!result?.ok) throw new Error(`render failed: ${JSON.stringify(result)}`);
  return { out: target.finalPath, media };
}

/** The usual FFmpeg recipe for HDR → SDR, written out here apart from the engine's own. */
async function reference(file: string, width: number, height: number): Promise<string> {
  const out = path.join(work, `ref-${path.basename(file)}.mp4`);
  const vf = [
    `zscale=w=${width}:h=${height}:t=linear:npl=100`,
    'format=gbrpf32le',
    'zscale=p=bt709',
    'tonemap=tonemap=hable:desat=0',
    'zscale=t=bt709:m=bt709:r=tv',
    'format=yuv420p',
  ].join(',');
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    file,
    '-vf',
    vf,
    '-an',
    '-c:v',
    'libx264',
    '-crf',
    '18',
    out,
  ]);
  return out;
}

async function colourTags(file: string): Promise<string> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=color_primaries,color_transfer,color_space,pix_fmt', '-of', 'json', file],
  ]);
  const s = JSON.parse(stdout).streams[0];
  return `${s.pix_fmt} ${s.color_primaries}/${s.color_transfer}/${s.color_space}`;
}

/** Mean luma and mean saturation over every frame (signalstats' YAVG and SATAVG). */
async function picture(file: string): Promise<{ luma: number; saturation: number }> {
  const { stdout } = await run('ffmpeg', [
    ...['-v', 'error', '-i', file, '-vf', 'signalstats,metadata=print:file=-', '-f', 'null', '-'],
  ]);
  const mean = (key: string) => {
    const values = [...stdout.matchAll(new RegExp(`${key}=([\\d.]+)`, 'g'))].map((m) => Number(m[1]));
    return values.reduce((a, b) => a + b, 0) / values.length;
  };
  return { luma: mean('YAVG'), saturation: mean('SATAVG') };
}

async function expectToneMapped(file: string) {
  const { out, media } = await renderPlain(file);
  expect(media.video.hdr, 'the probe sees HDR').toBeDefined();
  expect(await colourTags(out)).toBe('yuv420p bt709/bt709/bt709');
  const { width, height } = outputGeometry(media, OPTIONS.maxLongSide);
  const [got, want] = await Promise.all([picture(out), picture(await reference(file, width, height))]);
  // Measured: within 1 level of luma and 3 % of saturation of the reference; the untouched HDR
  // values shown as SDR land 8-15 levels away and at half the saturation (washed out).
  expect(Math.abs(got.luma - want.luma), `luma ${got.luma} vs ${want.luma}`).toBeLessThan(4);
  expect(
    Math.abs(got.saturation / want.saturation - 1),
    `saturation ${got.saturation} vs ${want.saturation}`,
  ).toBeLessThan(0.12);
  return { out, media };
}

describe('HDR sources are tone-mapped to SDR BT.709', () => {
  it.runIf(existsSync(CORPUS_PQ))('the corpus AV1 HDR10 (PQ) clip', async () => {
    await expectToneMapped(CORPUS_PQ);
  });

  it('an HEVC 10-bit HLG clip', async () => {
    await expectToneMapped(hlgClip());
  });

  it('an iPhone-style HEVC 10-bit HLG clip turned 90°: upright, tone-mapped', async () => {
    const { out, media } = await expectToneMapped(iphoneClip());
    expect([90, 270]).toContain(media.video.rotation);
    const { stdout } = await run('ffprobe', [
      ...[
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=width,height,sample_aspect_ratio',
      ],
      ...['-of', 'csv=p=0', out],
    ]);
    expect(stdout.trim()).toBe('360,640,1:1');
  });
});
