import { execFile } from 'node:child_process';
import path from 'node:path';

/** bin/vidvar.js, as a user runs it (it hands over to the pinned Node 24). */
export const VIDVAR_BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'vidvar.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `vidvar …` to its end and gives its exit code and output, whatever the code. */
export function runVidvar(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [VIDVAR_BIN, ...args],
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
