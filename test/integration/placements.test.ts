/**
 * Placements on real FFmpeg: each variation in every chosen placement from one render, at the
 * placement's exact size with square pixels and the source's full length; crop shows nothing but
 * picture, blur and pad the whole picture, centred.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { engineOptions } from '../../src/media/options.js';
import { type Fit, FORMATS, type FormatName, formatGeometry } from '../../src/media/plan/placement.js';
import { renderVariations } from '../../src/media/render/render.js';
import type { RenderTarget } from '../../src/media/render/render-types.js';
import type { VariationPlan } from '../../src/media/types.js';
import { readMp4Facts } from '../../src/media/verify/mp4-facts.js';
import { clip, ffmpegFile } from '../support/clips.js';
import { pictureSeconds } from '../support/corpus.js';

const run = promisify(execFile);
const OPTIONS = engineOptions({ maxLongSide: 480, cpus: 2 });
const work = mkdtempSync(path.join(os.tmpdir(), 'vidvar-placements-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A flat blue picture in a white frame 8 px wide: where the frame lands shows where the picture is. */
const framed = () =>
  ffmpegFile('framed-blue-640x360.mp4', [
    ...['-f', 'lavfi', '-i', 'color=c=0x2040a0:size=640x360:rate=30:duration=1.5'],
    ...['-vf', 'drawbox=x=0:y=0:w=iw:h=ih:color=white:t=8', '-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
  ]);

function plan(index: number): VariationPlan {
  return {
    index,
    intensity: 'subtle',
    effects: [],
    encode: { crf: 18, gop: 30, preset: 'ultrafast', x264Params: '', audioBitrateK: 128 },
    signature: `plain-${index}`,
  };
}

/** Renders one plain variation in every placement and returns each placement's file. */
async function renderPlacements(source: string, fit: Fit, padColour = '0x000000') {
  const media = await admitMedia(source, path.basename(source), OPTIONS);
  const dir = mkdtempSync(path.join(work, `${fit}-`));
  const target: RenderTarget = {
    outputId: 'v1',
    plan: plan(1),
    workPath: path.join(dir, 'v1.work'),
    finalPath: path.join(dir, 'unused.mp4'),
    placements: FORMATS.map((format) => ({
      outputId: `v1-${format}`,
      format,
      workPath: path.join(dir, `v1-${format}.work.mp4`),
      finalPath: path.join(dir, `v1-${format}.mp4`),
      thumbnailPath: path.join(dir, `v1-${format}.jpg`),
    })),
  };
  const results = await renderVariations({
    inputPath: source,
    media,
    targets: [target],
    options: OPTIONS,
    layout: { fit, padColour },
    guarantee: false,
  });
  expect(results.map((r) => r.outputId)).toEqual(FORMATS.map((f) => `v1-${f}`));
  for (const r of results) if (!r.ok) throw new Error(`${r.outputId}: ${r.detail}`);
  // Every placement lasts as long as the source's pictures (a plain plan: no trim, no speed change),
  // its pictures and the file as a whole, to within one frame: reframing must not cost the ending.
  const seconds = pictureSeconds(source, media.video.index, media.video.fps);
  for (const format of FORMATS) {
    const facts = await readMp4Facts(path.join(dir, `v1-${format}.mp4`));
    const frame = 1 / media.video.fps + 0.001;
    expect(Math.abs((facts.video?.durationSec ?? 0) - seconds), `${format}: pictures`).toBeLessThanOrEqual(
      frame,
    );
    expect(Math.abs(facts.durationSec - seconds), `${format}: file`).toBeLessThanOrEqual(frame);
  }
  return FORMATS.map((format) => ({
    format,
    file: path.join(dir, `v1-${format}.mp4`),
    size: formatGeometry(media, format, OPTIONS.maxLongSide),
  }));
}

async function sizeAndSar(file: string): Promise<string> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,sample_aspect_ratio'],
    ...['-of', 'csv=p=0', file],
  ]);
  return stdout.trim();
}

/** The middle frame as grey pixels, row by row. */
async function greyFrame(file: string, width: number, height: number) {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-ss', '0.7', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    { encoding: 'buffer', maxBuffer: 16 << 20 },
  );
  const at = (x: number, y: number) => stdout[y * width + x] as number;
  /** Mean and spread of a rectangle's pixels. */
  const region = (x0: number, y0: number, w: number, h: number) => {
    const values: number[] = [];
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) values.push(at(x, y));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const spread = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    return { mean, spread };
  };
  expect(stdout.length).toBe(width * height);
  return region;
}

const STANDARD: Record<Exclude<FormatName, 'source'>, string> = {
  '9x16': '270,480,1:1',
  '4x5': '384,480,1:1',
  '1x1': '480,480,1:1',
  '16x9': '480,270,1:1',
};

describe('placements', () => {
  it('crop: every placement at its exact size with square pixels, and nothing but picture up to its edges', async () => {
    const outputs = await renderPlacements(clip({ width: 640, height: 360, duration: 1.5 }), 'crop');
    for (const { format, file, size } of outputs) {
      expect(await sizeAndSar(file), format).toBe(format === 'source' ? '480,270,1:1' : STANDARD[format]);
      const region = await greyFrame(file, size.width, size.height);
      // A bar or pad makes an edge strip flat and unlike the picture beside it; a picture's own edge
      // strip has some detail and looks like the strip 6 px further in.
      const strips = {
        top: [region(0, 0, size.width, 2), region(0, 6, size.width, 2)],
        bottom: [region(0, size.height - 2, size.width, 2), region(0, size.height - 8, size.width, 2)],
        left: [region(0, 0, 2, size.height), region(6, 0, 2, size.height)],
        right: [region(size.width - 2, 0, 2, size.height), region(size.width - 8, 0, 2, size.height)],
      };
      for (const [edge, [outer, inner]] of Object.entries(strips)) {
        expect(outer?.spread, `${format} ${edge} edge has detail`).toBeGreaterThan(2);
        expect(Math.abs((outer?.mean ?? 0) - (inner?.mean ?? 0)), `${format} ${edge} edge`).toBeLessThan(25);
      }
    }
  });

  for (const fit of ['pad', 'blur'] as const) {
    it(`${fit}: the whole picture, centred, its frame visible on all four sides`, async () => {
      const outputs = await renderPlacements(framed(), fit, '0x000000');
      for (const { format, file, size } of outputs) {
        expect(await sizeAndSar(file), format).toBe(format === 'source' ? '480,270,1:1' : STANDARD[format]);
        // Where the 640×360 picture must sit: scaled to fit, centred.
        const s = Math.min(size.width / 640, size.height / 360);
        const w = Math.round((640 * s) / 2) * 2;
        const h = Math.round((360 * s) / 2) * 2;
        const x = Math.floor((size.width - w) / 4) * 2;
        const y = Math.floor((size.height - h) / 4) * 2;
        const region = await greyFrame(file, size.width, size.height);
        const white = 170;
        const inset = 4; // keeps clear of the chroma/scaling blur at the picture's corners
        expect(region(x + inset, y + 1, w - 2 * inset, 1).mean, `${format} top`).toBeGreaterThan(white);
        expect(region(x + inset, y + h - 2, w - 2 * inset, 1).mean, `${format} bottom`).toBeGreaterThan(
          white,
        );
        expect(region(x + 1, y + inset, 1, h - 2 * inset).mean, `${format} left`).toBeGreaterThan(white);
        expect(region(x + w - 2, y + inset, 1, h - 2 * inset).mean, `${format} right`).toBeGreaterThan(white);
        expect(
          region(x + Math.round(w / 4), y + Math.round(h / 4), Math.round(w / 2), Math.round(h / 2)).mean,
          `${format} inside`,
        ).toBeLessThan(110);
        // Outside the picture: the pad's black, or the blurred, darkened copy (never the white frame).
        if (y >= 6) {
          const above = region(0, 0, size.width, y - 4).mean;
          expect(above, `${format} above`).toBeLessThan(fit === 'pad' ? 25 : 140);
          if (fit === 'blur') expect(above, `${format} above is not a flat pad`).toBeGreaterThan(25);
        }
      }
    });
  }
});
