import type { JobDetail, OutputRecord } from '../jobs/types.js';
import type { OutputName } from './job-view.js';
import { plainChanges } from './plain-effects.js';

/**
 * variations.csv of a job's ZIP: one plain row per delivered file, for a spreadsheet. The exact
 * parameters are in manifest.json beside it; this says what changed in words.
 */
export const VARIATIONS_CSV = 'variations.csv';

const HEADER = [
  'file',
  'source',
  'what changed',
  'duration (s)',
  'size (MB)',
  'distinct from the original',
  'vPDQ bits from the original',
];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled. A text
 * that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe,
 * so a file named `=HYPERLINK(…).mp4` stays a name.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvRow(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** Whether vPDQ tells this output from its original, in a word or two. */
function distinctWords(output: OutputRecord): string {
  const vsSource = output.distinctness?.vpdq.vsSource;
  if (!output.distinctness) return 'not measured';
  if (!vsSource?.measurable) return 'not measurable (checked on its pixels)';
  return vsSource.match ? 'no: matches the original' : 'yes';
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/**
 * The CSV for these outputs (the ZIP's files, in its order). It starts with a byte-order mark, so a
 * spreadsheet opened by double-click reads names in any language as UTF-8.
 */
export function variationsCsv(
  job: Pick<JobDetail, 'sources'>,
  outputs: readonly OutputRecord[],
  names: Map<string, OutputName>,
): string {
  const sourceNames = new Map(job.sources.map((source) => [source.id, source.name]));
  const rows = outputs.map((output) => {
    const name = names.get(output.id);
    const vsSource = output.distinctness?.vpdq.vsSource;
    return csvRow([
      name ? `${name.folder}/${name.file}` : output.id,
      sourceNames.get(output.sourceId) ?? '',
      plainChanges(output.plan.effects),
      output.durationSec === null ? null : round(output.durationSec, 2),
      output.sizeBytes === null ? null : round(output.sizeBytes / 1_000_000, 2),
      distinctWords(output),
      vsSource?.measurable && vsSource.nearestBits !== null ? Math.round(vsSource.nearestBits) : null,
    ]);
  });
  return `\ufeff${csvRow(HEADER)}${rows.join('')}`;
}
