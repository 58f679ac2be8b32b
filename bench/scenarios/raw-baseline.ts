import path from 'node:path';
import { type BenchContext, filesBytes, REPO_ROOT, type ScenarioOutcome } from '../context.js';
import { measureScript } from '../measure.js';
import { printedScript } from './printed-script.js';

/**
 * Scenario 2: the exact FFmpeg commands vidvar runs for the workload (`make --print-commands` with the
 * same seed), run by bash as printed (side by side where vidvar runs them side by side): no server,
 * no Node, no verification. The floor vidvar is held to.
 */

export async function rawBaseline(ctx: BenchContext): Promise<ScenarioOutcome> {
  const w = ctx.workload;
  const outDir = path.join(ctx.runDir, 'raw');
  const script = await printedScript(ctx, outDir, [...ctx.sources, '-n', String(w.count), '-i', w.intensity]);
  const run = await measureScript(script.lines.join('\n'), { cwd: REPO_ROOT, watchDir: outDir });
  if (run.exitCode !== 0)
    throw new Error(`a raw FFmpeg command failed (${run.exitCode}): ${run.stderrTail.trim()}`);
  const variations = w.sources.length * w.count;
  return {
    figures: [
      { key: 'raw.wallSec', label: 'wall time', value: run.wallSec, unit: 's' },
      {
        key: 'raw.secPerVariation',
        label: 'seconds per variation',
        value: run.wallSec / variations,
        unit: 's',
      },
      { key: 'raw.cpuSec', label: 'CPU seconds (bash times)', value: run.cpuSec, unit: 's' },
      {
        key: 'raw.outputBytes',
        label: 'output bytes',
        value: await filesBytes(script.outDir, '.mp4'),
        unit: 'bytes',
      },
      { key: 'raw.commands', label: 'FFmpeg processes', value: script.commands, unit: 'count' },
      {
        key: 'raw.ffmpegPeakRss',
        label: 'peak RSS, largest FFmpeg',
        value: run.peaks.childHwmBytes,
        unit: 'bytes',
      },
      { key: 'raw.diskHighWater', label: 'disk high-water mark', value: run.peaks.diskBytes, unit: 'bytes' },
    ],
    notes: [`${script.commands} commands from \`vidvar make --print-commands -s ${w.seed}\`, run with bash`],
  };
}
