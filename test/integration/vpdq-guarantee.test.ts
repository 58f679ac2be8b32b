import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { runFfmpeg } from '../../src/media/ffmpeg/runner.js';
import { engineOptions } from '../../src/media/options.js';
import { planJob, redrawPlanner } from '../../src/media/plan/planner.js';
import { prepareBatch, runBatch } from '../../src/media/render/batch.js';
import { renderCommands, renderVariations } from '../../src/media/render/render.js';
import type { RenderResult, RenderTarget } from '../../src/media/render/render-types.js';
import type { MediaInfo, VariationPlan } from '../../src/media/types.js';
import { hashVideoFrames } from '../../src/media/verify/video-hashes.js';
import { compareVideos } from '../../src/media/verify/vpdq.js';
import { clip } from '../support/clips.js';

/**
 * The vPDQ guarantee on real FFmpeg: hashes taken from the render's own frames (without changing a
 * byte of the outputs), no delivered subtle variation that vPDQ matches to its source, and an output
 * planned as a near-copy redrawn from its seed — or failed with a reason after the last try.
 */
const work = mkdtempSync(path.join(os.tmpdir(), 'vidvar-guarantee-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const options = engineOptions({ threads: 1, stallTimeoutMs: 60_000 });

let file: string;
let media: MediaInfo;
beforeAll(async () => {
  file = clip({ width: 320, height: 568, duration: 3 });
  media = await admitMedia(file, 'clip.mp4', options);
});

function targets(name: string, plans: VariationPlan[]): RenderTarget[] {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return plans.map((plan) => ({
    outputId: `v${plan.index}`,
    plan,
    workPath: path.join(dir, `v${plan.index}.part.mp4`),
    finalPath: path.join(dir, `v${plan.index}.mp4`),
  }));
}

const plansAt = (intensity: 'subtle' | 'medium', count: number) =>
  planJob({ seed: 'guarantee', intensity, count, sources: [media], preset: options.preset })[0] ?? [];

/** A plan that changes nothing but the encode: what vPDQ must call a copy. */
const nearCopy = (plan: VariationPlan): VariationPlan => ({ ...plan, effects: [], signature: 'copy' });

function delivered(results: RenderResult[]) {
  return results.map((r) => {
    if (!r.ok) throw new Error(`${r.outputId}: ${r.code}: ${r.detail}`);
    return r;
  });
}

describe('vPDQ in the render', () => {
  it('hashes without changing a byte: the outputs equal those of the same commands with no hash branch', async () => {
    const plans = plansAt('medium', 2);
    const hashed = delivered(
      await renderVariations({ inputPath: file, media, targets: targets('hashed', plans), options }),
    );
    const plain = targets('plain', plans);
    for (const command of renderCommands(
      { inputPath: file, media, targets: plain, options },
      { finalNames: true },
    )) {
      expect(command.args.join(' ')).not.toContain('unix:');
      await runFfmpeg({ args: command.args, durationSec: media.durationSec, options });
    }
    for (const [i, result] of hashed.entries()) {
      expect(result.distinctness.vpdq.vsSource?.measurable).toBe(true);
      expect(sha(path.join(work, 'hashed', `v${i + 1}.mp4`))).toBe(sha((plain[i] as RenderTarget).finalPath));
    }
  });

  it('delivers no subtle variation that vPDQ matches to its source, as vidvar compare measures it too', async () => {
    const plans = plansAt('subtle', 4);
    const replan = redrawPlanner({
      seed: 'guarantee',
      intensity: 'subtle',
      preset: options.preset,
      media,
      sourceIndex: 0,
    });
    const list = targets('subtle', plans);
    const results = delivered(
      await renderVariations({ inputPath: file, media, targets: list, options, replan }),
    );
    const source = await hashVideoFrames({ file, options, socketDir: os.tmpdir(), fps: null });
    for (const [i, result] of results.entries()) {
      const vsSource = result.distinctness.vpdq.vsSource;
      expect(vsSource).toMatchObject({ match: false, measurable: true });
      expect(vsSource?.matchedPercent).toBeLessThan(80);
      // Independently of the render's own hashes: the file on disk, hashed on its own.
      const output = await hashVideoFrames({
        file: (list[i] as RenderTarget).finalPath,
        options,
        socketDir: os.tmpdir(),
      });
      expect(compareVideos(source, output).verdict).toBe('distinct');
      if (i > 0) expect(result.distinctness.vpdq.vsNearestSibling?.match).toBe(false);
    }
  });
});

describe('the guarantee', () => {
  it('redraws a plan that is a near-copy of its source, from the seed, and the manifest says so', async () => {
    const outDir = path.join(work, 'batch');
    const request = {
      inputs: [file],
      count: 2,
      intensity: 'medium' as const,
      seed: 'guarantee',
      outDir,
      concurrency: 1,
      options,
      toolVersion: 'test',
    };
    const sources = await prepareBatch(request);
    const source = sources[0];
    if (!source) throw new Error('not admitted');
    const forced = source.targets.map((t, i) => (i === 1 ? { ...t, plan: nearCopy(t.plan) } : t));
    const { manifest, failed } = await runBatch(request, [{ ...source, targets: forced }]);
    expect(failed).toBe(0);
    const [first, second] = manifest.outputs;
    expect(first?.distinctness?.redraws).toEqual([]);
    expect(second?.distinctness?.redraws[0]).toMatchObject({
      label: 'redraw-1',
      rejectedSignature: 'copy',
      closeTo: 'source',
    });
    expect(second?.distinctness?.redraws[0]?.matchedPercent).toBeGreaterThanOrEqual(80);
    // The plan delivered is the redraw, drawn from the seed: the same on every run.
    const again = redrawPlanner({ ...request, preset: options.preset, media, sourceIndex: 0 });
    const redrawn = again((source.targets[1] as RenderTarget).plan, 'redraw-1');
    expect(second?.signature).toBe(redrawn.signature);
    expect(second?.effects).toEqual(redrawn.effects);
    expect(second?.distinctness?.vpdq.vsSource?.match).toBe(false);
    const written = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
    expect(written.outputs[1].distinctness.redraws[0].label).toBe('redraw-1');
  });

  it('fails an output that stays a near-copy after 3 tries, with a reason a marketer can act on', async () => {
    const plans = plansAt('medium', 1).map(nearCopy);
    const reported: RenderResult[] = [];
    const [result] = await renderVariations({
      inputPath: file,
      media,
      targets: targets('stubborn', plans),
      options,
      replan: (plan) => nearCopy(plan),
      onOutput: (r) => reported.push(r),
    });
    expect(result).toMatchObject({ ok: false, code: 'too_close' });
    expect(result?.ok === false && result.message).toBe(
      "This variation stayed too close to the original in Meta's open video matcher after 3 tries; try a stronger intensity.",
    );
    expect(reported).toEqual([result]);
  });

  it('calls a flat picture not measurable, never distinct, and delivers it on the 16×16 measures', async () => {
    const flat = clip({ width: 320, height: 568, duration: 2, source: 'color' });
    const flatMedia = await admitMedia(flat, 'flat.mp4', options);
    const plans =
      planJob({
        seed: 'flat',
        intensity: 'medium',
        count: 1,
        sources: [flatMedia],
        preset: options.preset,
      })[0] ?? [];
    const [result] = delivered(
      await renderVariations({ inputPath: flat, media: flatMedia, targets: targets('flat', plans), options }),
    );
    expect(result?.distinctness.vpdq.measurable).toBe(false);
    expect(result?.distinctness.vpdq.vsSource).toMatchObject({
      match: false,
      measurable: false,
      nearestBits: null,
    });
    expect(result?.distinctness.pixel.vsSource).toBeGreaterThanOrEqual(0);
  });

  it('where vPDQ cannot measure, redraws a near-copy on the pixel measures, and names no matcher when it gives up', async () => {
    const flat = clip({ width: 320, height: 568, duration: 2, source: 'color' });
    const flatMedia = await admitMedia(flat, 'flat.mp4', options);
    const [plan] =
      planJob({
        seed: 'flat',
        intensity: 'medium',
        count: 1,
        sources: [flatMedia],
        preset: options.preset,
      })[0] ?? [];
    if (!plan) throw new Error('no plan');
    // Black made lighter: a tone shift the pixel measures see.
    const lighter: VariationPlan = {
      ...plan,
      effects: [{ id: 'brightness', params: { brightness: 0.1 } }],
      signature: 'lighter',
    };
    const [redrawn] = delivered(
      await renderVariations({
        inputPath: flat,
        media: flatMedia,
        targets: targets('flat-redraw', [nearCopy(plan)]),
        options,
        replan: () => lighter,
      }),
    );
    expect(redrawn?.distinctness.vpdq.measurable).toBe(false);
    expect(redrawn?.distinctness.redraws).toEqual([
      expect.objectContaining({
        label: 'redraw-1',
        rejectedSignature: 'copy',
        closeTo: 'source',
        measure: 'pixel',
      }),
    ]);
    expect(redrawn?.plan.signature).toBe('lighter');
    expect(redrawn?.distinctness.pixel.vsSource).toBeGreaterThan(10);

    const [stubborn] = await renderVariations({
      inputPath: flat,
      media: flatMedia,
      targets: targets('flat-stubborn', [nearCopy(plan)]),
      options,
      replan: (p) => nearCopy(p),
    });
    expect(stubborn).toMatchObject({ ok: false, code: 'too_close' });
    expect(stubborn?.ok === false && stubborn.message).toBe(
      'This variation stayed too close to the original (the picture has too little detail for vPDQ; compared pixel by pixel) after 3 tries; try a stronger intensity.',
    );
  });
});
