import path from 'node:path';
import { formatCommand, shellQuote, shellScript } from '../ffmpeg/command-line.js';
import { QUIET_FLAGS } from '../ffmpeg/runner.js';
import type { EngineOptions } from '../options.js';
import { type BatchSourcePlan, batchCommands, batchWorkDir } from './batch.js';

/**
 * `vidvar make --print-commands`: a bash script that renders the batch as a normal run would, run as
 * printed from any folder. It makes the folders, runs the very commands of the run (same order, same
 * process slots) with each output going straight to its final name, and removes its scratch folder —
 * giving the same bytes. FFmpeg stays quiet: no progress lines, only errors.
 */
export function batchScript(sources: BatchSourcePlan[], options: EngineOptions, outDir: string): string[] {
  const workDir = batchWorkDir(outDir);
  const folders = [
    workDir,
    ...new Set(sources.flatMap((s) => s.targets.map((t) => path.dirname(t.finalPath)))),
  ];
  const commands = batchCommands(sources, options, { finalNames: true });
  const format = (args: string[]) => formatCommand(options.ffmpegPath, [...QUIET_FLAGS, ...args]);
  return [
    '#!/usr/bin/env bash',
    // A failed command fails the script: `wait -n` and `wait` return its status.
    'set -euo pipefail',
    `mkdir -p ${folders.map((f) => shellQuote(f)).join(' ')}`,
    ...shellScript(commands, options.cpus, format),
    `rm -rf ${shellQuote(workDir)}`,
  ];
}
