import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { type BenchContext, REPO_ROOT, VIDVAR_BIN } from '../context.js';

const exec = promisify(execFile);

export interface PrintedScript {
  /** Bash lines as printed: folders made, FFmpeg commands (`&` where vidvar runs them side by side, `wait`). */
  lines: string[];
  commands: number;
  /** Where the outputs land: outDir/<name>/<name>-vNN.mp4, as in a normal run. */
  outDir: string;
}

/**
 * What `vidvar make <args> --print-commands` prints: a script that renders the outputs into outDir
 * as vidvar would, the exact FFmpeg work without vidvar.
 */
export async function printedScript(
  ctx: BenchContext,
  outDir: string,
  args: string[],
): Promise<PrintedScript> {
  await mkdir(outDir, { recursive: true });
  const printed = await exec(
    'node',
    [VIDVAR_BIN, 'make', ...args, '-s', ctx.workload.seed, '-o', outDir, '--print-commands'],
    { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  const lines = printed.stdout.trimEnd().split('\n');
  const commands = lines.filter((line) => line.startsWith('ffmpeg ')).length;
  if (commands === 0) throw new Error(`vidvar printed no commands: ${printed.stderr.slice(0, 300)}`);
  return { lines, commands, outDir };
}
