import { type Figure, findFigure, ratio, type ScenarioResult } from './report.js';

/** The ratios across scenarios that answer the "Speed" issue: vidvar against both baselines. */
export function summarize(results: ScenarioResult[]): ScenarioResult {
  const get = (key: string) => findFigure(results, key);
  const figures: Figure[] = [
    {
      key: 'summary.vidvarVsRaw.wall',
      label: 'vidvar end to end / raw FFmpeg, wall time',
      value: ratio(get('e2e.wallSec'), get('raw.wallSec')),
      unit: 'ratio',
      goal: { op: '<=', target: 1.05 },
    },
    {
      key: 'summary.vidvarVsRaw.cpu',
      label: 'vidvar end to end / raw FFmpeg, CPU seconds',
      value: ratio(get('e2e.cpuSec'), get('raw.cpuSec')),
      unit: 'ratio',
    },
    {
      key: 'summary.throughputVsOld',
      label: 'vidvar throughput / old recipe throughput',
      value: ratio(get('old.wallSec'), get('e2e.wallSec')),
      unit: 'ratio',
      goal: { op: '>=', target: 2 },
    },
    {
      key: 'summary.rawVsOld',
      label: 'raw FFmpeg throughput / old recipe throughput',
      value: ratio(get('old.wallSec'), get('raw.wallSec')),
      unit: 'ratio',
    },
    {
      key: 'summary.sizeVsOld',
      label: 'vidvar output bytes / old recipe output bytes',
      value: ratio(get('e2e.outputBytes'), get('old.outputBytes')),
      unit: 'ratio',
    },
  ];
  const notes: string[] = [];
  const served = get('e2e.outputBytes');
  const raw = get('raw.outputBytes');
  if (served !== null && raw !== null) {
    notes.push(
      served === raw
        ? 'the server and the raw commands produced the same total bytes: the same work was compared'
        : `the server produced ${served} bytes and the same commands run raw ${raw} ` +
            `(${(((served - raw) / raw) * 100).toFixed(2)} %): FFmpeg's output is not byte-stable here`,
    );
  }
  return { id: 'Σ', title: 'ratios against the baselines', figures, notes, durationSec: 0 };
}
