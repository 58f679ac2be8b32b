import { DEFAULT_ENGINE_OPTIONS } from '../../src/media/options.js';
import { INTENSITIES } from '../../src/media/types.js';
import type { BenchContext, ScenarioOutcome } from '../context.js';
import { type Figure, ratio } from '../report.js';
import { type MakeRun, measureMake } from './cli-run.js';

/**
 * Scenario 5: what the x264 preset buys — wall time against output size, relative to the default —
 * and what each intensity costs per variation at the default preset.
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
