import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/media/options.js';
import { videoRateCap, x264ParamsFor } from '../../src/media/plan/encode-settings.js';
import { INTENSITIES } from '../../src/media/types.js';
import type { BenchContext, ScenarioOutcome } from '../context.js';
import { type Figure, ratio } from '../report.js';
import { type MakeRun, measureMake } from './cli-run.js';

/**
 * Scenario 5: what the x264 preset buys — wall time against output size, relative to the default,
 * and the encoder alone: its time and the SSIM of the source re-encoded as vidvar would, with no
 * effect, at CRF 22 under the rate cap — and what each intensity costs per variation at the default.
 */
export async function presets(ctx: BenchContext): Promise<ScenarioOutcome> {
  const w = ctx.workload;
  const source = ctx.sources[0] as string;
  const n = w.presetOutputs;
  const fallback = DEFAULT_ENGINE_OPTIONS.preset;
  const presetList = w.presets.includes(fallback) ? w.presets : [...w.presets, fallback];
  const runs = new Map<string, MakeRun>();
  const figures: Figure[] = [];
  for (const preset of presetList) {
    ctx.log(`5: --preset ${preset}`);
    const run = await measureMake(
      ctx,
      `preset-${preset}`,
      [source],
      ['-n', String(n), '-i', w.intensity, '--preset', preset],
    );
    runs.set(preset, run);
    figures.push(...(await encoderQuality(ctx, source, preset)));
  }
  const base = runs.get(fallback) as MakeRun;
  for (const [preset, run] of runs) {
    const name = preset === fallback ? `${preset} (default)` : preset;
    figures.push(
      ...costFigures(preset, name, run, n),
      {
        key: `presets.${preset}.timeRatio`,
        label: `${name}: time vs default`,
        value: ratio(run.wallSec, base.wallSec),
        unit: 'ratio',
      },
      {
        key: `presets.${preset}.sizeRatio`,
        label: `${name}: size vs default`,
        value: ratio(run.outputBytes, base.outputBytes),
        unit: 'ratio',
      },
    );
  }
  for (const intensity of INTENSITIES) {
    // The default-preset run above already is this intensity at this seed: reuse it.
    let run = intensity === w.intensity ? base : undefined;
    if (!run) {
      ctx.log(`5: --intensity ${intensity}`);
      run = await measureMake(ctx, `intensity-${intensity}`, [source], ['-n', String(n), '-i', intensity]);
    }
    figures.push(...costFigures(intensity, intensity, run, n));
  }
  return {
    figures,
    notes: [
      `1 source × ${n} variations per run, seed ${w.seed}; seconds per variation include start-up and checks`,
    ],
  };
}

/** Seconds per variation and output bytes of one run of n variations, keyed `presets.<id>.*`. */
function costFigures(id: string, name: string, run: MakeRun, n: number): Figure[] {
  return [
    {
      key: `presets.${id}.secPerVariation`,
      label: `${name}: seconds per variation`,
      value: run.wallSec / n,
      unit: 's',
    },
    {
      key: `presets.${id}.outputBytes`,
      label: `${name}: output bytes`,
      value: run.outputBytes,
      unit: 'bytes',
    },
  ];
}

const exec = promisify(execFile);
const QUALITY_CRF = 22;

/** The source through one single-threaded encoder with vidvar's settings: CPU time, bytes, SSIM. */
async function encoderQuality(ctx: BenchContext, source: string, preset: string): Promise<Figure[]> {
  const out = path.join(ctx.runDir, `quality-${preset}.mp4`);
  const cap = videoRateCap(1080, 1920, 30);
  const params = x264ParamsFor(preset);
  const t0 = performance.now();
  await exec('ffmpeg', [
    ...['-nostdin', '-loglevel', 'error', '-y', '-threads', '1', '-i', source, '-an', '-c:v', 'libx264'],
    ...['-preset', preset, ...(params ? ['-x264-params', params] : []), '-threads', '1'],
    ...['-crf', String(QUALITY_CRF), '-maxrate', `${cap.maxrateK}k`, '-bufsize', `${cap.bufsizeK}k`, out],
  ]);
  const encodeSec = (performance.now() - t0) / 1000;
  const { stderr } = await exec('ffmpeg', [
    '-nostdin',
    '-i',
    out,
    '-i',
    source,
    '-lavfi',
    'ssim',
    '-f',
    'null',
    '-',
  ]);
  const ssim = Number(/All:([\d.]+)/.exec(stderr)?.[1] ?? Number.NaN);
  const { size } = await stat(out);
  return [
    {
      key: `presets.${preset}.encodeSec`,
      label: `${preset}: encoder alone, 1 thread`,
      value: encodeSec,
      unit: 's',
    },
    {
      key: `presets.${preset}.encodeBytes`,
      label: `${preset}: encoder alone, bytes`,
      value: size,
      unit: 'bytes',
    },
    { key: `presets.${preset}.ssim`, label: `${preset}: SSIM vs source`, value: ssim, unit: 'index' },
  ];
}
