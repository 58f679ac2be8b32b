import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BenchContext, filesBytes, REPO_ROOT, type ScenarioOutcome, VIDVAR_BIN } from '../context.js';
import { measureScript, shellQuote } from '../measure.js';

/**
 * Scenario 2: the exact FFmpeg commands vidvar runs for the workload (`make --print-commands` with the
 * same seed), back to back in bash: no server, no Node, no verification. The floor vidvar is held to.
 */

const exec = promisify(execFile);

export async function rawBaseline(ctx: BenchContext): Promise<ScenarioOutcome> {
  const w = ctx.workload;
  const outDir = path.join(ctx.runDir, 'raw');
  await mkdir(outDir, { recursive: true });
  const args = ['make', ...ctx.sources, '-n', String(w.count), '-i', w.intensity, '-s', w.seed, '-o', outDir];
  const printed = await exec('node', [VIDVAR_BIN, ...args, '--print-commands'], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const commands = printed.stdout.split('\n').filter((line) => line.startsWith('ffmpeg '));
  if (commands.length === 0) throw new Error(`vidvar printed no commands: ${printed.stderr.slice(0, 300)}`);
  const workDir = path.join(outDir, '.vidvar-work');
  const run = await measureScript([`mkdir -p ${shellQuote(workDir)}`, ...commands].join('\n'), {
    cwd: REPO_ROOT,
    watchDir: outDir,
  });
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
        value: await filesBytes(workDir, '.mp4'),
        unit: 'bytes',
      },
      { key: 'raw.commands', label: 'FFmpeg processes', value: commands.length, unit: 'count' },
      {
        key: 'raw.ffmpegPeakRss',
        label: 'peak RSS, largest FFmpeg',
        value: run.peaks.childHwmBytes,
        unit: 'bytes',
      },
      { key: 'raw.diskHighWater', label: 'disk high-water mark', value: run.peaks.diskBytes, unit: 'bytes' },
    ],
    notes: [`${commands.length} commands from \`vidvar make --print-commands -s ${w.seed}\`, run with bash`],
  };
}
