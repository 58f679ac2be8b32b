import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type BenchContext, filesBytes, REPO_ROOT, type ScenarioOutcome } from '../context.js';
import { measureScript, shellQuote } from '../measure.js';

/**
 * Scenario 3: the recipe vidvar replaces — one FFmpeg process per variation with a small rotation and a
 * colour tweak, a fixed 2 Mb/s target and `-threads 4` — for every variation of the workload, in turn.
 */

/** The old per-variation command. Angle and colour vary with the index, deterministically. */
export function oldRecipeArgs(input: string, output: string, index: number): string[] {
  const angle = (index % 2 === 0 ? 1 : -1) * (0.01 + 0.005 * (index % 4));
  const brightness = ((index % 7) - 3) * 0.01;
  const contrast = 1 + ((index % 5) - 2) * 0.02;
  const saturation = 1 + ((index % 3) - 1) * 0.05;
  const vf = `rotate=${angle.toFixed(3)},eq=brightness=${brightness.toFixed(2)}:contrast=${contrast.toFixed(2)}:saturation=${saturation.toFixed(2)}`;
  return [
    ...[
      'ffmpeg',
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-i',
      input,
      '-vf',
      vf,
      '-r',
      '29.97',
    ],
    ...['-c:v', 'libx264', '-b:v', '2000k', '-maxrate', '2500k', '-bufsize', '4000k', '-preset', 'ultrafast'],
    ...['-crf', '23', '-threads', '4', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart'],
    ...['-map_metadata', '-1', output],
  ];
}

export async function oldRecipe(ctx: BenchContext): Promise<ScenarioOutcome> {
  const w = ctx.workload;
  const outDir = path.join(ctx.runDir, 'old');
  await mkdir(outDir, { recursive: true });
  const commands = ctx.sources.flatMap((source, s) =>
    Array.from({ length: w.count }, (_, i) =>
      oldRecipeArgs(source, path.join(outDir, `${s}-${i + 1}.mp4`), i + 1)
        .map(shellQuote)
        .join(' '),
    ),
  );
  const run = await measureScript(commands.join('\n'), { cwd: REPO_ROOT });
  if (run.exitCode !== 0)
    throw new Error(`an old-recipe command failed (${run.exitCode}): ${run.stderrTail.trim()}`);
  return {
    figures: [
      { key: 'old.wallSec', label: 'wall time', value: run.wallSec, unit: 's' },
      {
        key: 'old.secPerVariation',
        label: 'seconds per variation',
        value: run.wallSec / commands.length,
        unit: 's',
      },
      { key: 'old.cpuSec', label: 'CPU seconds (bash times)', value: run.cpuSec, unit: 's' },
      {
        key: 'old.outputBytes',
        label: 'output bytes',
        value: await filesBytes(outDir, '.mp4'),
        unit: 'bytes',
      },
      {
        key: 'old.ffmpegPeakRss',
        label: 'peak RSS, largest FFmpeg',
        value: run.peaks.childHwmBytes,
        unit: 'bytes',
      },
    ],
    notes: [`${commands.length} sequential processes: ${oldRecipeArgs('SRC', 'OUT', 1).join(' ')}`],
  };
}
