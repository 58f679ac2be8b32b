import type { JobView, OutputView } from '../api/types.js';

const FORMAT_LABELS: Record<string, string> = { '9x16': '9:16', '4x5': '4:5', '1x1': '1:1', '16x9': '16:9' };

/** A placement's short name on its card ("9:16"); nothing for the source's own shape. */
export function FormatLabel({ output }: { output: OutputView }) {
  const label = output.format ? FORMAT_LABELS[output.format] : undefined;
  return label ? <span class="format-label">{label}</span> : null;
}

/** How an output fared against its platform's limits: the failures named, with their figures. */
export function PlatformChecks({ output }: { output: OutputView }) {
  const checks = output.checks ?? [];
  if (checks.length === 0) return null;
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0)
    return <p class="small platform-checks">Meets every {output.platform} limit checked.</p>;
  return (
    <ul class="small platform-checks platform-checks--failed" aria-label="Platform limits not met">
      {failed.map((c) => (
        <li key={c.check}>
          {c.check}: {String(c.value)} {c.unit} (limit {c.limit})
        </li>
      ))}
    </ul>
  );
}

/** Limits of the chosen platform the batch's sources cannot meet, said before anything renders. */
export function PlacementWarnings({ job }: { job: JobView }) {
  if (!job.warnings || job.warnings.length === 0) return null;
  return (
    <ul class="placement-warnings" aria-label="Platform warnings">
      {job.warnings.map((w) => (
        <li key={`${w.sourceId}:${w.message}`} class="warning-text">
          {w.message}
        </li>
      ))}
    </ul>
  );
}
