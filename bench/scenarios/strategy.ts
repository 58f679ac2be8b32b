import path from 'node:path';
import { type BenchContext, REPO_ROOT, type ScenarioOutcome } from '../context.js';
import { measureScript } from '../measure.js';
import { type Figure, ratio } from '../report.js';
import { printedScript } from './printed-script.js';

/**
 * Scenario 4: ways to spend the cores on one source's outputs, each as the raw FFmpeg commands vidvar
 * prints for it (so only the arrangement differs, not vidvar's own work):
 * - naive: one process per output, one at a time, x264 using every core (frame threads);
 * - processes: one process per output, one per core side by side, one thread per encoder;
 * - one decode: a single process decodes once and feeds every encoder (one core);
 * - default: what vidvar picks: one process per core, each decoding once for a group of outputs.
 */

interface Variant {
  key: string;
  label: string;
  args: string[];
  /** Rewrites the printed script (naive: the encoders get FFmpeg's default thread count back). */
  rewrite?: (line: string) => string;
}

export async function strategy(ctx: BenchContext): Promise<ScenarioOutcome> {
  const outputs = String(ctx.workload.strategyOutputs);
  const variants: Variant[] = [
    {
      key: 'naive',
      label: 'naive: 1 output per process, 1 at a time, threaded x264',
      args: ['--fan-out', '1', '--processes', '1'],
      rewrite: (line) => line.replaceAll(' -threads 1 -fps_mode ', ' -threads 0 -fps_mode '),
    },
    { key: 'processes', label: '1 output per process, 1 process per core', args: ['--fan-out', '1'] },
    {
      key: 'oneDecode',
      label: 'all outputs from 1 decode, 1 process',
      args: ['--fan-out', outputs, '-p', '1'],
    },
    { key: 'default', label: 'default (auto)', args: [] },
  ];
  const source = ctx.sources[0] as string;
  const figures: Figure[] = [];
  const walls = new Map<string, number>();
  for (const v of variants) {
    ctx.log(`4: ${v.label}`);
    const outDir = path.join(ctx.runDir, `strategy-${v.key}`);
    const script = await printedScript(ctx, outDir, [source, '-n', outputs, '-i', 'medium', ...v.args]);
    const lines = v.rewrite ? script.lines.map(v.rewrite) : script.lines;
    const run = await measureScript(lines.join('\n'), { cwd: REPO_ROOT, watchDir: outDir });
    if (run.exitCode !== 0) throw new Error(`${v.label} failed (${run.exitCode}): ${run.stderrTail.trim()}`);
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
  const speedup = (key: string, base: string, label: string): Figure => ({
    key: `strategy.${key}.speedup`,
    label,
    value: ratio(walls.get(base) ?? null, walls.get(key) ?? null),
    unit: 'ratio',
  });
  figures.push(
    speedup('processes', 'naive', 'speed-up: processes side by side vs threads in one process'),
    speedup('default', 'processes', 'speed-up: decode once per process vs once per output'),
    speedup('oneDecode', 'naive', 'speed-up: one decode in one process vs naive'),
    speedup('default', 'naive', 'speed-up: default vs naive'),
  );
  return {
    figures,
    notes: [
      `1 source × ${outputs} outputs, raw FFmpeg commands from --print-commands; speed-up > 1 = faster`,
    ],
  };
}
