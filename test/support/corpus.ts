import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { engineOptions } from '../../src/media/options.js';
import { planJob } from '../../src/media/plan/planner.js';
import { renderVariations } from '../../src/media/render/render.js';
import type { MediaInfo } from '../../src/media/types.js';
import { CORPUS_DIR } from './clips.js';

/**
 * Real-world files all the way through the engine: admitted files must give valid variations
 * (H.264/AAC MP4, displayed orientation and aspect kept). Outputs are capped at 480 px and use the
 * fastest preset so the whole corpus fits in the suite; geometry and validity do not depend on it.
 */
export const corpusOptions = engineOptions({ maxLongSide: 480, preset: 'ultrafast', stallTimeoutMs: 30_000 });

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
  return { results, files: readdirSync(dir).sort() };
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
    if (measured === 'always' || result.distinctness.vsSource !== undefined) {
      expect(result.distinctness.vsSource).toBeGreaterThan(0);
    }
  }
}
