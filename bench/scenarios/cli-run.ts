import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type BenchContext, filesBytes, REPO_ROOT, vidvarCommand } from '../context.js';
import { measureScript, type ScriptRun } from '../measure.js';

export interface MakeRun extends ScriptRun {
  outputBytes: number;
}

/** `vidvar make` on the given inputs into a fresh folder of the run, measured as a process tree. */
export async function measureMake(
  ctx: BenchContext,
  name: string,
  inputs: string[],
  args: string[],
): Promise<MakeRun> {
  const outDir = path.join(ctx.runDir, name);
  await mkdir(outDir, { recursive: true });
  const command = vidvarCommand(['make', ...inputs, '-s', ctx.workload.seed, '-o', outDir, ...args]);
  const run = await measureScript(command, { cwd: REPO_ROOT, watchDir: outDir });
  if (run.exitCode !== 0)
    throw new Error(`vidvar make ${args.join(' ')} failed (${run.exitCode}): ${run.stderrTail.trim()}`);
  return { ...run, outputBytes: await filesBytes(outDir, '.mp4') };
}
