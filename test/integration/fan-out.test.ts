import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { type EngineOptions, engineOptions } from '../../src/media/options.js';
import { planJob } from '../../src/media/plan/planner.js';
import { renderCommands, renderVariations } from '../../src/media/render/render.js';
import type { RenderTarget } from '../../src/media/render/render-types.js';
import type { MediaInfo, VariationPlan } from '../../src/media/types.js';
import { clip } from '../support/clips.js';

/**
 * Decode-once fan-out is a speed strategy only: against one process per output it must give the
 * same plans, the same bytes, per-output progress, siblings unharmed by a failing output, and clean
 * cancellation.
 */
const work = mkdtempSync(path.join(os.tmpdir(), 'vidvar-fanout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let file: string;
let media: MediaInfo;
let plans: VariationPlan[];
beforeAll(async () => {
  file = clip({ width: 320, height: 568, duration: 2 });
  media = await admitMedia(file, 'clip.mp4', engineOptions());
  plans =
    planJob({ seed: 'fan', intensity: 'medium', count: 3, sources: [media], preset: 'veryfast' })[0] ?? [];
});

function targets(name: string): RenderTarget[] {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return plans.map((plan) => ({
    outputId: `v${plan.index}`,
    plan,
    workPath: path.join(dir, `v${plan.index}.part.mp4`),
    finalPath: path.join(dir, `v${plan.index}.mp4`),
    thumbnailPath: path.join(dir, `v${plan.index}.jpg`),
  }));
}

const options = (fanOut: number): EngineOptions => engineOptions({ threads: 1, fanOut });

describe('fan-out against one process per output', () => {
  it('runs one command for three outputs instead of three, from the same plans', () => {
    expect(
      renderCommands({ inputPath: file, media, targets: targets('cmd'), options: options(3) }),
    ).toHaveLength(1);
    expect(
      renderCommands({ inputPath: file, media, targets: targets('cmd'), options: options(1) }),
    ).toHaveLength(3);
  });

  it('gives byte-identical, valid outputs and reports progress for every output', async () => {
    const progress = new Map<string, number>();
    const shared = await renderVariations({
      inputPath: file,
      media,
      targets: targets('shared'),
      options: options(3),
      onProgress: (id, fraction) => progress.set(id, Math.max(progress.get(id) ?? 0, fraction)),
    });
    // One process per output, side by side, with more decoder threads: still the same bytes.
    const separate = await renderVariations({
      inputPath: file,
      media,
      targets: targets('separate'),
      options: engineOptions({ fanOut: 1, cpus: 3, threads: 2 }),
    });
    expect(shared.map((r) => r.ok)).toEqual([true, true, true]);
    expect(separate.map((r) => r.ok)).toEqual([true, true, true]);
    for (const plan of plans) {
      const name = `v${plan.index}.mp4`;
      expect(sha(path.join(work, 'shared', name))).toBe(sha(path.join(work, 'separate', name)));
      expect(existsSync(path.join(work, 'shared', `v${plan.index}.jpg`))).toBe(true);
    }
    expect([...progress.keys()].sort()).toEqual(['v1', 'v2', 'v3']);
    expect([...progress.values()].every((f) => f > 0.5)).toBe(true);
  });

  it('keeps the siblings of an output that cannot be written', async () => {
    const group = targets('failing');
    const broken = group[1] as RenderTarget;
    broken.workPath = path.join(work, 'no-such-folder', 'v2.part.mp4');
    const results = await renderVariations({ inputPath: file, media, targets: group, options: options(3) });
    expect(results.map((r) => [r.outputId, r.ok])).toEqual([
      ['v1', true],
      ['v2', false],
      ['v3', true],
    ]);
    expect(readdirSync(path.join(work, 'failing')).sort()).toEqual(['v1.jpg', 'v1.mp4', 'v3.jpg', 'v3.mp4']);
  });

  it('stops FFmpeg on cancel and leaves no partial file', async () => {
    const long = clip({ width: 320, height: 568, duration: 20 });
    const longMedia = await admitMedia(long, 'long.mp4', engineOptions());
    const controller = new AbortController();
    const group = targets('canceled');
    const run = renderVariations({
      inputPath: long,
      media: longMedia,
      targets: group,
      options: options(3),
      signal: controller.signal,
      onProgress: (_, fraction) => {
        if (fraction > 0.1) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'ffmpeg_aborted' });
    expect(readdirSync(path.join(work, 'canceled'))).toEqual([]);
  });
});
