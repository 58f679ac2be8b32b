import type { BenchContext, ScenarioOutcome } from '../context.js';
import { type Figure, ratio } from '../report.js';
import { measureMake } from './cli-run.js';

/**
 * Scenario 4: how to spend 2 cores on one source. Decode once and encode several outputs in one
 * process (--fan-out), and several processes with one thread each versus one process with all threads.
 * `--concurrency` runs sources in parallel, so that pair renders the source twice × half the outputs.
 */

interface Variant {
  key: string;
  label: string;
  copies: number;
  args: string[];
}

export async function strategy(ctx: BenchContext): Promise<ScenarioOutcome> {
  const outputs = ctx.workload.strategyOutputs;
  const half = String(Math.max(1, outputs / 2));
  const variants: Variant[] = [
    ...[1, 2, 4].map((f) => ({
      key: `fanout${f}`,
      label: `--fan-out ${f}`,
      copies: 1,
      args: ['-n', String(outputs), '--fan-out', String(f)],
    })),
    {
      key: 'parallel',
      label: '--concurrency 2 --threads 1',
      copies: 2,
      args: ['-n', half, '--fan-out', '1', '--concurrency', '2', '--threads', '1'],
    },
    {
      key: 'threaded',
      label: '--concurrency 1 --threads 0',
      copies: 2,
      args: ['-n', half, '--fan-out', '1', '--concurrency', '1', '--threads', '0'],
    },
  ];
  const source = ctx.sources[0] as string;
  const figures: Figure[] = [];
  const walls = new Map<string, number>();
  for (const v of variants) {
    ctx.log(`4: ${v.label}`);
    const run = await measureMake(ctx, `strategy-${v.key}`, Array(v.copies).fill(source), [
      ...v.args,
      '-i',
      'medium',
    ]);
    walls.set(v.key, run.wallSec);
    figures.push(
      { key: `strategy.${v.key}.wallSec`, label: `${v.label}: wall`, value: run.wallSec, unit: 's' },
      { key: `strategy.${v.key}.cpuSec`, label: `${v.label}: CPU`, value: run.cpuSec, unit: 's' },
      {
        key: `strategy.${v.key}.treePeakRss`,
        label: `${v.label}: peak RSS of tree`,
        value: run.peaks.treeRssBytes,
        unit: 'bytes',
      },
    );
  }
  const speedup = (key: string, base: string) => ratio(walls.get(base) ?? null, walls.get(key) ?? null);
  figures.push(
    {
      key: 'strategy.fanout2.speedup',
      label: 'speed-up --fan-out 2 vs 1',
      value: speedup('fanout2', 'fanout1'),
      unit: 'ratio',
    },
    {
      key: 'strategy.fanout4.speedup',
      label: 'speed-up --fan-out 4 vs 1',
      value: speedup('fanout4', 'fanout1'),
      unit: 'ratio',
    },
    {
      key: 'strategy.parallel.speedup',
      label: 'speed-up 2 processes × 1 thread vs 1 × all',
      value: speedup('parallel', 'threaded'),
      unit: 'ratio',
    },
  );
  return {
    figures,
    notes: [
      `1 source × ${outputs} outputs per variant (the last two: the source twice × ${half}); speed-up > 1 = faster`,
    ],
  };
}
