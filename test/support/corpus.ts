import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { engineOptions } from '../../src/media/options.js';
import { expectedDuration, planJob, variationFps } from '../../src/media/plan/planner.js';
import { renderVariations } from '../../src/media/render/render.js';
import type { MediaInfo } from '../../src/media/types.js';
import { readMp4Facts } from '../../src/media/verify/mp4-facts.js';
import { CORPUS_DIR } from './clips.js';

/**
 * Real-world files all the way through the engine: admitted files must give valid variations
 * (H.264/AAC MP4, displayed orientation and aspect kept). Outputs are capped at 480 px and use the
 * fastest preset so the whole corpus fits in the suite; geometry and validity do not depend on it.
 */
// The stall watchdog at the server's default (60 s): a file whose picture size changes mid-stream
// reports no progress until its end while the fingerprint is taken, which a busy machine stretches.
export const corpusOptions = engineOptions({ maxLongSide: 480, preset: 'ultrafast' });

/** The corpus is optional: its tests run when ../shared/corpus is there (always in CI). */
export const CORPUS_PRESENT = existsSync(CORPUS_DIR);

export const filesIn = (folder: string) =>
  existsSync(path.join(CORPUS_DIR, folder))
    ? readdirSync(path.join(CORPUS_DIR, folder))
        .filter((n) => !n.startsWith('.'))
        .sort()
    : [];

/** Plans and renders two strong variations of a file into a folder of their own under `work`. */
export async function renderTwo(work: string, file: string, name: string, media: MediaInfo) {
  const plans =
    planJob({
      seed: name,
      intensity: 'strong',
      count: 2,
      sources: [media],
      preset: corpusOptions.preset,
    })[0] ?? [];
  const dir = mkdtempSync(path.join(work, 'out-'));
  const targets = plans.map((plan) => ({
    outputId: `v${plan.index}`,
    plan,
    workPath: path.join(dir, `v${plan.index}.work.mp4`),
    finalPath: path.join(dir, `v${plan.index}.mp4`),
  }));
  const results = await renderVariations({ inputPath: file, media, targets, options: corpusOptions });
  return { results, files: readdirSync(dir).sort(), targets };
}

/** `measured`: whether distinctness must be there ('always'), or only checked when the file allowed it. */
export function expectValid(
  name: string,
  media: MediaInfo,
  rendered: Awaited<ReturnType<typeof renderTwo>>,
  measured: 'always' | 'when-possible' = 'always',
) {
  const { results, files } = rendered;
  expect(files, 'only finished outputs remain').toEqual(['v1.mp4', 'v2.mp4']);
  for (const result of results) {
    if (!result.ok) throw new Error(`${name}: ${result.code}: ${result.detail}`);
    expect(result.width % 2).toBe(0);
    expect(result.height % 2).toBe(0);
    expect(Math.max(result.width, result.height)).toBeLessThanOrEqual(480);
    // Displayed orientation and aspect are kept (within the rounding to even sizes).
    const sourceAspect = media.video.width / media.video.height;
    const outputAspect = result.width / result.height;
    expect(
      Math.sign(outputAspect - 1) === Math.sign(sourceAspect - 1) || Math.abs(sourceAspect - 1) < 0.05,
    ).toBe(true);
    expect(Math.abs(outputAspect / sourceAspect - 1)).toBeLessThan(0.08);
    // Square pixels: the picture's true proportions, with no stretch left for a player to apply.
    const target = rendered.targets.find((t) => t.outputId === result.outputId);
    expect(target && sampleAspect(target.finalPath), `${name} ${result.outputId}: SAR`).toBe('1:1');
    if (measured === 'always' || result.distinctness.pixel.vsSource !== undefined) {
      expect(result.distinctness.pixel.vsSource).toBeGreaterThan(0);
    }
  }
}

/** The video stream's sample aspect ratio as ffprobe reports it ("1:1", "117:112"). */
export function sampleAspect(file: string): string {
  return execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=sample_aspect_ratio',
      '-of',
      'csv=p=0',
      file,
    ],
    { encoding: 'utf8' },
  ).trim();
}

/**
 * How long a source's pictures last, measured apart from the engine (whose own measure is under test):
 * from the file's start (its earliest stream: sound may start before the first picture, and the
 * outputs keep that offset) to the end of the last picture, over every video packet ffprobe lists.
 */
export function pictureSeconds(file: string, streamIndex: number, fps: number): number {
  const text = execFileSync(
    'ffprobe',
    [
      ...['-v', 'error', '-select_streams', String(streamIndex)],
      ...['-show_entries', 'format=start_time:packet=pts_time,duration_time', '-of', 'default', file],
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  let first = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const [, pts, duration] of text.matchAll(/pts_time=([\d.-]+)\s+duration_time=([\d.]+|N\/A)/g)) {
    const at = Number(pts);
    first = Math.min(first, at);
    // Some muxers write no packet durations, or 1 ms ones (FLV): then a frame lasts 1/fps.
    const lasts = Number(duration);
    end = Math.max(end, at + (Number.isFinite(lasts) && lasts > 0.5 / fps ? lasts : 1 / fps));
  }
  const start = Number(/start_time=([\d.-]+)/.exec(text)?.[1] ?? first);
  return end - Math.min(start, first);
}

/**
 * Every output lasts as long as its source's pictures after its trims and speed change, to within one
 * of its own frames — its pictures and the file as a whole (read from the files already rendered).
 */
export async function expectFullLength(
  name: string,
  file: string,
  media: MediaInfo,
  rendered: Awaited<ReturnType<typeof renderTwo>>,
) {
  const source = { ...media, durationSec: pictureSeconds(file, media.video.index, media.video.fps) };
  for (const target of rendered.targets) {
    const facts = await readMp4Facts(target.finalPath);
    const expected = expectedDuration(source, target.plan);
    const frame = 1 / variationFps(media, target.plan.effects);
    const what = `${name} v${target.plan.index} (${target.plan.signature}), expected ${expected} s`;
    expect(Math.abs((facts.video?.durationSec ?? 0) - expected), `${what}: pictures`).toBeLessThanOrEqual(
      frame + 0.001,
    );
    expect(Math.abs(facts.durationSec - expected), `${what}: file`).toBeLessThanOrEqual(frame + 0.001);
  }
}
