import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { engineOptions } from '../../src/media/options.js';
import { planJob } from '../../src/media/plan/planner.js';
import { renderVariations } from '../../src/media/render/render.js';
import { clip } from '../support/clips.js';

/**
 * Same input, seed and settings give the same bytes on any machine: x264's frame threads under its
 * bit-rate cap made every run differ at 1080×1920, and slice threads changed the bytes with the core
 * count, so every encoder runs on one thread and only the decoder's threads follow the machine.
 */
const work = mkdtempSync(path.join(os.tmpdir(), 'vidvar-repro-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('reproducible renders', () => {
  it('renders a full-HD portrait plan to identical bytes on 1, 4 and 6 cores', async () => {
    const file = clip({ width: 1080, height: 1920, duration: 2, grain: true });
    const options = engineOptions({ threads: 0, fanOut: 1 });
    const media = await admitMedia(file, 'hd.mp4', options);
    const [plan] =
      planJob({
        seed: 'repro',
        intensity: 'strong',
        count: 1,
        sources: [media],
        preset: options.preset,
      })[0] ?? [];
    if (!plan) throw new Error('no plan');
    const hashes: string[] = [];
    for (const [run, cpus] of [
      [1, 1],
      [2, 4],
      [3, 6],
    ] as const) {
      const finalPath = path.join(work, `run${run}.mp4`);
      const [result] = await renderVariations({
        inputPath: file,
        media,
        targets: [{ outputId: `run${run}`, plan, workPath: `${finalPath}.part`, finalPath }],
        // One output: one process, whose decoder gets all the cores.
        options: { ...options, cpus },
      });
      expect(result?.ok).toBe(true);
      hashes.push(createHash('sha256').update(readFileSync(finalPath)).digest('hex'));
    }
    expect(new Set(hashes).size).toBe(1);
  });
});
