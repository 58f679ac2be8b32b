import type { BenchContext, ScenarioOutcome } from '../context.js';
import { type Figure, ratio } from '../report.js';
import { type MakeRun, measureMake } from './cli-run.js';

const FORMATS = ['9x16', '4x5', '1x1', '16x9'] as const;

/**
 * Scenario 11: placements. The same variations of the first source in four placements, in one run
 * (one decode and one pass of the effects per variation, split into four encodes) against four
 * separate single-placement runs; then the same one-run render with the blur and pad fills.
 */
export async function placements(ctx: BenchContext): Promise<ScenarioOutcome> {
  const w = ctx.workload;
  const source = ctx.sources[0] as string;
  // As many variations as the strategy scenario: an even number of processes per core, so the
  // comparison is of shared decodes, not of how 3 processes of 4 encoders land on 2 cores.
  const n = w.strategyOutputs;
  const make = (name: string, formats: string, fit = 'crop') => {
    ctx.log(`11: --formats ${formats} --fit ${fit}`);
    return measureMake(
      ctx,
      name,
      [source],
      ['-n', String(n), '-i', w.intensity, '--formats', formats, '--fit', fit],
    );
  };
  const together = await make('placements-together', FORMATS.join(','));
  const apart: MakeRun[] = [];
  for (const format of FORMATS) apart.push(await make(`placements-${format}`, format));
  const apartWall = apart.reduce((sum, run) => sum + run.wallSec, 0);
  const apartCpu = apart.reduce((sum, run) => sum + (run.cpuSec ?? 0), 0);
  const blur = await make('placements-blur', FORMATS.join(','), 'blur');
  const pad = await make('placements-pad', FORMATS.join(','), 'pad');
  const figures: Figure[] = [
    {
      key: 'placements.together.wallSec',
      label: 'four placements, one run: wall',
      value: together.wallSec,
      unit: 's',
    },
    {
      key: 'placements.apart.wallSec',
      label: 'four single-placement runs: wall',
      value: apartWall,
      unit: 's',
    },
    {
      key: 'placements.togetherVsApart.wall',
      label: 'one run / four runs (wall)',
      value: ratio(together.wallSec, apartWall),
      unit: 'ratio',
      goal: { op: '<=', target: 0.85 },
    },
    {
      key: 'placements.togetherVsApart.cpu',
      label: 'one run / four runs (CPU)',
      value: ratio(together.cpuSec, apartCpu),
      unit: 'ratio',
    },
    {
      key: 'placements.blurVsCrop.wall',
      label: 'fit blur / fit crop (wall, four placements)',
      value: ratio(blur.wallSec, together.wallSec),
      unit: 'ratio',
    },
    {
      key: 'placements.padVsCrop.wall',
      label: 'fit pad / fit crop (wall, four placements)',
      value: ratio(pad.wallSec, together.wallSec),
      unit: 'ratio',
    },
  ];
  return {
    figures,
    notes: [
      `1 source × ${n} variations × ${FORMATS.length} placements (${FORMATS.join(', ')}), seed ${w.seed}`,
    ],
  };
}
