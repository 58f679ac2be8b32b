import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { shellQuote } from './measure.js';
import type { Figure, ScenarioResult } from './report.js';
import type { Workload } from './workload.js';

/** What every scenario gets, and the few helpers they share. */

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');
export const VIDVAR_BIN = path.join(REPO_ROOT, 'bin', 'vidvar.js');

export interface BenchContext {
  workload: Workload;
  /** Generated source files, one per workload source, in order. */
  sources: string[];
  /** Scratch folder of this run (inside bench/.cache, never /tmp); removed at the end. */
  runDir: string;
  log: (message: string) => void;
}

export interface ScenarioOutcome {
  figures: Figure[];
  notes: string[];
}

/** Times a scenario and turns a thrown error into a failed result, so one failure never ends the run. */
export async function runScenario(
  id: string,
  title: string,
  log: (message: string) => void,
  body: () => Promise<ScenarioOutcome>,
): Promise<ScenarioResult> {
  const started = performance.now();
  log(`${id}: ${title}`);
  try {
    const outcome = await body();
    return { id, title, ...outcome, durationSec: (performance.now() - started) / 1000 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${id}: FAILED: ${message}`);
    return {
      id,
      title,
      figures: [],
      notes: [],
      error: message,
      durationSec: (performance.now() - started) / 1000,
    };
  }
}

/** One bash line running the CLI through the same entry point users run. */
export function vidvarCommand(args: string[]): string {
  return ['node', VIDVAR_BIN, ...args].map(shellQuote).join(' ');
}

/** Total size of the files under dir whose name ends with ext (recursively). */
export async function filesBytes(dir: string, ext: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(ext))
      total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
