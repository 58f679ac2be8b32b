import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { engineOptions } from '../../src/media/options.js';
import { planSignature } from '../../src/media/plan/planner.js';
import { renderVariations } from '../../src/media/render/render.js';
import type { PlannedEffect, VariationPlan } from '../../src/media/types.js';
import { readMp4Facts } from '../../src/media/verify/mp4-facts.js';
import { clip } from '../support/clips.js';

const options = engineOptions({ maxLongSide: 320, preset: 'ultrafast' });
const work = mkdtempSync(path.join(os.tmpdir(), 'vidvar-full-length-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function plan(index: number, effects: PlannedEffect[]): VariationPlan {
  const encode = { crf: 23, gop: 60, preset: 'ultrafast', x264Params: '', audioBitrateK: 128 };
  return { index, intensity: 'medium', effects, encode, signature: planSignature(effects) };
}

/**
 * No frame lost at the end. HEVC from x265 reorders two frames, so the last packet FFmpeg reads starts
 * two frames before the last picture: a 3.000 s clip was admitted as 2.933 s, and its 25 fps variation
 * came out 2.920 s long. (The whole corpus is checked the same way in corpus-variations.test.ts.)
 */
describe('full length', () => {
  it('admits a 3.000 s HEVC clip with B-frames as 3.000 s, and renders every frame of it at another rate', async () => {
    const file = clip({ video: 'hevc10', duration: 3, fps: 30 });
    const media = await admitMedia(file, 'hevc.mp4', options);
    expect(media.video.reorderFrames).toBeGreaterThan(0);
    expect(media.durationSec).toBeCloseTo(3, 3);

    const plans = [
      plan(1, [{ id: 'frame-rate', params: { fps: 25 } }]),
      plan(2, [{ id: 'speed', params: { factor: 0.95 } }]),
      plan(3, [
        { id: 'speed', params: { factor: 1.06 } },
        { id: 'frame-rate', params: { fps: 24 } },
      ]),
      plan(4, [
        { id: 'trim', params: { head: 0.1, tail: 0.1 } },
        { id: 'speed', params: { factor: 1.1 } },
      ]),
    ];
    const targets = plans.map((p) => ({
      outputId: `v${p.index}`,
      plan: p,
      workPath: path.join(work, `v${p.index}.work.mp4`),
      finalPath: path.join(work, `v${p.index}.mp4`),
    }));
    // Timing alone makes near-copies, which the vPDQ guarantee would not deliver: only timing is under test.
    const results = await renderVariations({ inputPath: file, media, targets, options, guarantee: false });
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true]);
    const seconds = await Promise.all(
      targets.map(async (t) => (await readMp4Facts(t.finalPath)).video?.durationSec),
    );
    // 75 frames at 25 fps; 3 / 0.95 = 3.158 s is 94.7 frames at 30 fps; 3 / 1.06 = 2.830 s is 67.9 at 24.
    expect(seconds[0]).toBeCloseTo(3, 3);
    expect(Math.abs((seconds[1] ?? 0) - 3 / 0.95)).toBeLessThanOrEqual(1 / 30);
    expect(Math.abs((seconds[2] ?? 0) - 3 / 1.06)).toBeLessThanOrEqual(1 / 24);
    expect(Math.abs((seconds[3] ?? 0) - 2.8 / 1.1)).toBeLessThanOrEqual(1 / 30);
  });

  // FFmpeg 5.1 can end the frame-rate conversion of a trimmed, sped-up branch a frame or two early (in
  // the corpus, landscape_640x360_h264_aac48k_30s.mp4 lost 1.45 frames so): the render pads the end.
  it('keeps the last frames of a trimmed, sped-up output', async () => {
    const file = clip({ video: 'hevc10', duration: 4, fps: 25 });
    const media = await admitMedia(file, 'clip.mp4', options);
    expect(media.durationSec).toBeCloseTo(4, 3);
    const trimmed = plan(1, [
      { id: 'trim', params: { head: 0.324, tail: 0.266 } },
      { id: 'speed', params: { factor: 1.098 } },
    ]);
    const target = {
      outputId: 'v1',
      plan: trimmed,
      workPath: path.join(work, 'trimmed.work.mp4'),
      finalPath: path.join(work, 'trimmed.mp4'),
    };
    const [result] = await renderVariations({
      inputPath: file,
      media,
      targets: [target],
      options,
      guarantee: false,
    });
    expect(result?.ok).toBe(true);
    const seconds = (await readMp4Facts(target.finalPath)).video?.durationSec ?? 0;
    // (4 - 0.324 - 0.266) / 1.098 = 3.106 s: 77.6 frames at 25 fps.
    expect(Math.abs(seconds - 3.41 / 1.098)).toBeLessThanOrEqual(1 / 25);
  });
});
