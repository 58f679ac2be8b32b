import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BenchContext, REPO_ROOT, VIDVAR_BIN } from '../context.js';
import { shellQuote } from '../measure.js';

const exec = promisify(execFile);

export interface PrintedScript {
  /** Bash lines: FFmpeg commands, `&` where vidvar runs them side by side, `wait`. */
  lines: string[];
  commands: number;
  workDir: string;
}

/**
 * What `vidvar make <args> --print-commands` prints, as a script that renders into outDir's work
 * folder: the exact FFmpeg work vidvar would do, without vidvar.
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
  const script = printed.stdout
    .split('\n')
    .filter((line) => line.startsWith('ffmpeg ') || line.startsWith('wait'));
  const commands = script.filter((line) => line.startsWith('ffmpeg ')).length;
  if (commands === 0) throw new Error(`vidvar printed no commands: ${printed.stderr.slice(0, 300)}`);
  const workDir = path.join(outDir, '.vidvar-work');
  return { lines: [`mkdir -p ${shellQuote(workDir)}`, ...script], commands, workDir };
}
