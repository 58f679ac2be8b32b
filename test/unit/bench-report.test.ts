import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBashTimes } from '../../bench/measure.js';
import { descendants, parseProcStat, parseProcStatus } from '../../bench/procfs.js';
import {
  type BenchReport,
  formatValue,
  goalMet,
  percentile,
  renderTable,
  type ScenarioResult,
  writeReport,
} from '../../bench/report.js';
import { oldRecipeArgs } from '../../bench/scenarios/old-recipe.js';
import { summarize } from '../../bench/summary.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vidvar-bench-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function scenario(
  id: string,
  figures: ScenarioResult['figures'],
  extra: Partial<ScenarioResult> = {},
): ScenarioResult {
  return { id, title: `scenario ${id}`, figures, notes: [], durationSec: 1, ...extra };
}

describe('reading /proc', () => {
  it('reads CPU, children CPU, parent and RSS even when the command name has spaces and parentheses', () => {
    const line =
      '4242 (ffmpeg (x) 1) S 4200 4242 4200 0 -1 4194560 1000 0 0 0 250 50 1200 300 20 0 3 0 100 500000000 2560 ' +
      '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      ppid: 4200,
      cpuSec: 3,
      childrenCpuSec: 15,
      rssBytes: 2560 * 4096,
    });
  });

  it('reads current and peak RSS from status', () => {
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
    expect(parseProcStatus(status)).toEqual({ rssBytes: 100 * 1024 * 1024, hwmBytes: 200 * 1024 * 1024 });
  });

  it('finds a process tree, grandchildren included, and nothing outside it', () => {
    const p = (pid: number, ppid: number) => ({ pid, ppid, cpuSec: 0, childrenCpuSec: 0, rssBytes: 1 });
    const all = [p(1, 0), p(10, 1), p(11, 10), p(12, 11), p(13, 10), p(20, 1)];
    expect(
      descendants(10, all)
        .map((s) => s.pid)
        .sort(),
    ).toEqual([10, 11, 12, 13]);
    expect(descendants(99, all)).toEqual([]);
  });

  it("adds the shell's and its children's user and system time from bash `times`", () => {
    expect(parseBashTimes('0m0.010s 0m0.005s\n1m2.500s 0m3.485s\n')).toBeCloseTo(66, 6);
    expect(() => parseBashTimes('garbage')).toThrow(/bash times/);
  });
});

describe('figures', () => {
  it('formats each unit for reading and never shows a missing figure as zero', () => {
    expect(formatValue(12.345, 's')).toBe('12.3 s');
    expect(formatValue(1.234, 's')).toBe('1.23 s');
    expect(formatValue(3 * 1024 * 1024, 'bytes')).toBe('3.0 MiB');
    expect(formatValue(1.049, 'ratio')).toBe('1.05×');
    expect(formatValue(7.25, 'ms')).toBe('7.3 ms');
    expect(formatValue(null, 's')).toBe('n/a');
    expect(formatValue(Number.NaN, 'bytes')).toBe('n/a');
  });

  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([], 50)).toBeNull();
  });

  it('checks goals in both directions and leaves unmeasured figures undecided', () => {
    const base = { key: 'k', label: 'l', unit: 'ratio' as const };
    expect(goalMet({ ...base, value: 1.04, goal: { op: '<=', target: 1.05 } })).toBe(true);
    expect(goalMet({ ...base, value: 1.9, goal: { op: '>=', target: 2 } })).toBe(false);
    expect(goalMet({ ...base, value: null, goal: { op: '>=', target: 2 } })).toBeNull();
    expect(goalMet({ ...base, value: 3 })).toBeNull();
  });
});

describe('summary against the baselines', () => {
  it('computes vidvar/raw and throughput against the old recipe, with their goals', () => {
    const results = [
      scenario('1', [
        { key: 'e2e.wallSec', label: 'wall', value: 105, unit: 's' },
        { key: 'e2e.cpuSec', label: 'cpu', value: 200, unit: 's' },
        { key: 'e2e.outputBytes', label: 'bytes', value: 1000, unit: 'bytes' },
      ]),
      scenario('2', [
        { key: 'raw.wallSec', label: 'wall', value: 100, unit: 's' },
        { key: 'raw.cpuSec', label: 'cpu', value: 190, unit: 's' },
        { key: 'raw.outputBytes', label: 'bytes', value: 1000, unit: 'bytes' },
      ]),
      scenario('3', [{ key: 'old.wallSec', label: 'wall', value: 315, unit: 's' }]),
    ];
    const summary = summarize(results);
    const value = (key: string) => summary.figures.find((f) => f.key === key);
    expect(value('summary.vidvarVsRaw.wall')?.value).toBeCloseTo(1.05, 6);
    expect(goalMet(value('summary.vidvarVsRaw.wall') as never)).toBe(true);
    expect(value('summary.throughputVsOld')?.value).toBeCloseTo(3, 6);
    expect(value('summary.rawVsOld')?.value).toBeCloseTo(3.15, 6);
    expect(summary.notes.join(' ')).toContain('same total bytes');
  });

  it('reports n/a instead of inventing a ratio when a scenario failed', () => {
    const summary = summarize([scenario('1', [], { error: 'server did not start' })]);
    expect(summary.figures.every((f) => f.value === null)).toBe(true);
    expect(renderTable(report([summary]))).toContain('n/a');
  });
});

function report(scenarios: ScenarioResult[]): BenchReport {
  return {
    reportVersion: 1,
    startedAt: '2026-11-27T15:06:00.123Z',
    finishedAt: '2026-11-27T15:16:00.000Z',
    quick: true,
    machine: { cpus: 2 },
    workload: {},
    scenarios,
  };
}

describe('report output', () => {
  it('prints every figure with its goal verdict, notes and failures', () => {
    const table = renderTable(
      report([
        scenario(
          '7',
          [
            { key: 'latency.p99Ms', label: 'p99', value: 61, unit: 'ms', goal: { op: '<=', target: 50 } },
            { key: 'latency.p50Ms', label: 'p50', value: 4, unit: 'ms' },
          ],
          { notes: ['20 pollers'] },
        ),
        scenario('2', [], { error: 'a raw FFmpeg command failed' }),
      ]),
    );
    expect(table).toMatch(/p99\s+61\.0 ms\s+≤ 50\.0 ms MISSED/);
    expect(table).toMatch(/p50\s+4\.0 ms/);
    expect(table).toContain('note: 20 pollers');
    expect(table).toContain('FAILED: a raw FFmpeg command failed');
  });

  it('writes a timestamped JSON file and latest.json with the same content, leaving no temporary file', async () => {
    const dir = path.join(tmp, 'results');
    const r = report([scenario('1', [{ key: 'e2e.wallSec', label: 'wall', value: 1, unit: 's' }])]);
    await writeReport(r, dir);
    expect(readdirSync(dir).sort()).toEqual(['2026-11-27T15-06-00Z.json', 'latest.json']);
    const latest = readFileSync(path.join(dir, 'latest.json'), 'utf8');
    expect(readFileSync(path.join(dir, '2026-11-27T15-06-00Z.json'), 'utf8')).toBe(latest);
    expect(JSON.parse(latest).scenarios[0].figures[0].value).toBe(1);
  });
});

describe('old recipe baseline', () => {
  it('is the command from the issue, with a small angle and colour change that differ per variation', () => {
    const a = oldRecipeArgs('in.mp4', 'out.mp4', 1);
    const b = oldRecipeArgs('in.mp4', 'out.mp4', 2);
    expect(a[0]).toBe('ffmpeg');
    expect(a.join(' ')).toContain(
      '-r 29.97 -c:v libx264 -b:v 2000k -maxrate 2500k -bufsize 4000k -preset ultrafast -crf 23 -threads 4 -pix_fmt yuv420p -c:a aac -movflags +faststart -map_metadata -1 out.mp4',
    );
    const vf = (args: string[]) => args[args.indexOf('-vf') + 1] as string;
    expect(vf(a)).toMatch(/^rotate=-?0\.0\d+,eq=brightness=[-\d.]+:contrast=[\d.]+:saturation=[\d.]+$/);
    expect(vf(a)).not.toBe(vf(b));
  });
});
