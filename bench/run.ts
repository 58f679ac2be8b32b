import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VERSION } from '../src/version.js';
import { type BenchContext, REPO_ROOT, runScenario } from './context.js';
import { BENCH_CACHE, ensureSource } from './media.js';
import { type BenchReport, renderTable, resultStamp, type ScenarioResult, writeReport } from './report.js';
import { apiLoad } from './scenarios/api-load.js';
import { hashing } from './scenarios/hashing.js';
import { oldRecipe } from './scenarios/old-recipe.js';
import { placements } from './scenarios/placements.js';
import { presets } from './scenarios/presets.js';
import { queue } from './scenarios/queue.js';
import { rawBaseline } from './scenarios/raw-baseline.js';
import { scaleOut } from './scenarios/scale-out.js';
import { serverScenarios } from './scenarios/server-suite.js';
import { strategy } from './scenarios/strategy.js';
import { summarize } from './summary.js';
import { DEFAULT_COUNT, workload } from './workload.js';

/**
 * `npm run bench`: every scenario in one run on generated media, a table on stdout, JSON in
 * bench/results/. BENCH_QUICK=1 for a tiny smoke run; BENCH_COUNT=N variations per source;
 * BENCH_SCENARIOS=1,2 to run a subset; BENCH_KEEP=1 to keep the rendered files in bench/.cache/runs/.
 */

const MEDIA_SCENARIOS = ['1', '2', '3', '4', '5', '6', '7', '10', '11', '12'];
const ALL_SCENARIOS = [...MEDIA_SCENARIOS, '8', '9'];

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n')[0]?.trim() ?? '';
  } catch {
    return 'unknown';
  }
}

function machine(): Record<string, string | number> {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    kernel: os.release(),
    node: process.version,
    ffmpeg: firstLine('ffmpeg', ['-hide_banner', '-version']),
    vidvar: VERSION,
    commit: firstLine('git', ['rev-parse', '--short', 'HEAD']),
  };
}

async function main(): Promise<number> {
  const quick = process.env.BENCH_QUICK === '1';
  const wanted = new Set(
    (process.env.BENCH_SCENARIOS ?? ALL_SCENARIOS.join(',')).split(',').map((s) => s.trim()),
  );
  const count = Number(process.env.BENCH_COUNT ?? DEFAULT_COUNT);
  if (!Number.isInteger(count) || count < 1 || count > 50) throw new Error('BENCH_COUNT must be 1..50');
  const w = workload(quick, count);
  const started = new Date();
  const log = (message: string) =>
    process.stderr.write(
      `[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)} s] ${message}\n`,
    );
  const runDir = path.join(BENCH_CACHE, 'runs', resultStamp(started));
  await mkdir(runDir, { recursive: true });
  log(
    `${quick ? 'quick' : 'full'} run, scenarios ${[...wanted].join(',')}; scratch in ${path.relative(REPO_ROOT, runDir)}`,
  );
  const sources: string[] = [];
  // The queue scenario needs no media: a run of it alone generates none.
  for (const spec of MEDIA_SCENARIOS.some((id) => wanted.has(id)) ? w.sources : []) {
    log(`source ${spec.name} (${spec.width}×${spec.height}, ${spec.durationSec} s)`);
    sources.push(await ensureSource(spec));
  }
  const ctx: BenchContext = { workload: w, sources, runDir, log };
  const results: ScenarioResult[] = [];
  try {
    if (['1', '6', '7'].some((id) => wanted.has(id))) results.push(...(await serverScenarios(ctx, wanted)));
    if (wanted.has('2'))
      results.push(
        await runScenario('2', 'baseline: raw FFmpeg commands in bash', log, () => rawBaseline(ctx)),
      );
    if (wanted.has('3'))
      results.push(
        await runScenario('3', 'baseline: old one-process-per-variation recipe', log, () => oldRecipe(ctx)),
      );
    if (wanted.has('4'))
      results.push(await runScenario('4', 'render strategies on one source (CLI)', log, () => strategy(ctx)));
    if (wanted.has('5'))
      results.push(await runScenario('5', 'x264 presets and intensities (CLI)', log, () => presets(ctx)));
    if (wanted.has('8'))
      results.push(await runScenario('8', 'job queue on SQLite (no FFmpeg)', log, () => queue(ctx)));
    if (wanted.has('9'))
      results.push(
        await runScenario('9', 'API under load: event streams, job creation', log, () => apiLoad(ctx)),
      );
    if (wanted.has('10'))
      results.push(await runScenario('10', 'vPDQ hashing against rendering (CPU)', log, () => hashing(ctx)));
    if (wanted.has('11'))
      results.push(
        await runScenario('11', 'placements: four in one run against four runs (CLI)', log, () =>
          placements(ctx),
        ),
      );
    if (wanted.has('12'))
      results.push(
        await runScenario('12', 'past one machine: one and two workers over Redis, API p99', log, () =>
          scaleOut(ctx),
        ),
      );
  } finally {
    if (process.env.BENCH_KEEP !== '1') await rm(runDir, { recursive: true, force: true });
  }
  results.sort((a, b) => a.id.localeCompare(b.id));
  results.push(summarize(results));
  const report: BenchReport = {
    reportVersion: 1,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    quick,
    machine: machine(),
    workload: { ...w, sources: w.sources },
    scenarios: results,
  };
  process.stdout.write(renderTable(report));
  const files = await writeReport(report, path.join(import.meta.dirname, 'results'));
  log(`wrote ${files.map((f) => path.relative(REPO_ROOT, f)).join(' and ')}`);
  return results.some((r) => r.error) ? 1 : 0;
}

process.exitCode = await main();
