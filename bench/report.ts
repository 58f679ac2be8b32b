import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The results of a benchmark run: figures per scenario, printed as a table and written as JSON. */

export type Unit = 's' | 'ms' | 'bytes' | 'ratio' | 'count' | 'index';

export interface Goal {
  op: '<=' | '>=';
  target: number;
}

export interface Figure {
  /** Stable id for comparisons across runs, e.g. `e2e.wallSec`. */
  key: string;
  label: string;
  /** null when it could not be measured (a failed run, no sample): shown as "n/a", never as 0. */
  value: number | null;
  unit: Unit;
  goal?: Goal;
}

export interface ScenarioResult {
  id: string;
  title: string;
  figures: Figure[];
  /** How the figures were obtained when that is not obvious (workload changes, approximations). */
  notes: string[];
  error?: string;
  durationSec: number;
}

export interface BenchReport {
  reportVersion: 1;
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: Record<string, string | number>;
  workload: Record<string, unknown>;
  scenarios: ScenarioResult[];
}

const MIB = 1024 * 1024;

export function formatValue(value: number | null, unit: Unit): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 's':
      return `${value.toFixed(value < 10 ? 2 : 1)} s`;
    case 'ms':
      return `${value.toFixed(1)} ms`;
    case 'bytes':
      return `${(value / MIB).toFixed(1)} MiB`;
    case 'ratio':
      return `${value.toFixed(2)}×`;
    case 'count':
      return String(Math.round(value));
    case 'index':
      return value.toFixed(4);
  }
}

/** true/false when the figure has a goal and a value, null otherwise. */
export function goalMet(figure: Figure): boolean | null {
  if (!figure.goal || figure.value === null || !Number.isFinite(figure.value)) return null;
  return figure.goal.op === '<=' ? figure.value <= figure.goal.target : figure.value >= figure.goal.target;
}

function goalText(figure: Figure): string {
  if (!figure.goal) return '';
  const met = goalMet(figure);
  const target = `${figure.goal.op === '<=' ? '≤' : '≥'} ${formatValue(figure.goal.target, figure.unit)}`;
  return `${target} ${met === null ? '(n/a)' : met ? 'met' : 'MISSED'}`;
}

/** A plain-text table, one block per scenario, widths fitted to the content. */
export function renderTable(report: BenchReport): string {
  const figures = report.scenarios.flatMap((s) => s.figures);
  const labelWidth = Math.max(0, ...figures.map((f) => f.label.length));
  const valueWidth = Math.max(0, ...figures.map((f) => formatValue(f.value, f.unit).length));
  const lines: string[] = [];
  for (const scenario of report.scenarios) {
    lines.push('', `${scenario.id} — ${scenario.title} (${scenario.durationSec.toFixed(0)} s)`);
    for (const figure of scenario.figures) {
      const value = formatValue(figure.value, figure.unit).padStart(valueWidth);
      lines.push(`  ${figure.label.padEnd(labelWidth)}  ${value}  ${goalText(figure)}`.trimEnd());
    }
    for (const note of scenario.notes) lines.push(`  note: ${note}`);
    if (scenario.error) lines.push(`  FAILED: ${scenario.error}`);
  }
  return `${lines.join('\n').trimStart()}\n`;
}

export function findFigure(scenarios: ScenarioResult[], key: string): number | null {
  for (const s of scenarios) {
    const figure = s.figures.find((f) => f.key === key);
    if (figure) return figure.value;
  }
  return null;
}

/** a / b, or null when either side is missing or b is zero. */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; null for no samples. */
export function percentile(samples: number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** `2026-11-27T15-06-00Z`: sortable and safe in a file name. */
export function resultStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
}

/** Writes results/<stamp>.json and results/latest.json, each via a temporary file and a rename. */
export async function writeReport(report: BenchReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const files = [
    path.join(dir, `${resultStamp(new Date(report.startedAt))}.json`),
    path.join(dir, 'latest.json'),
  ];
  for (const file of files) {
    await writeFile(`${file}.tmp`, json);
    await rename(`${file}.tmp`, file);
  }
  return files;
}
