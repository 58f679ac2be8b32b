import type { DistinctnessView, JobView } from '../api/types.js';

/**
 * How far a variation is from its original in Meta's open video matcher (vPDQ), in one plain line,
 * and the batch's badge when every variation is distinct to it. The server measures; this only says it.
 */
export function vpdqSentence(distinctness: DistinctnessView): string {
  const { vsSource } = distinctness.vpdq;
  if (!vsSource?.measurable || vsSource.nearestBits === null) {
    return "Not measurable by Meta's open video matcher (too little detail in the picture); checked on its pixels instead";
  }
  const bits = Math.round(vsSource.nearestBits);
  return `${bits} of 256 bits from the original in Meta's open video matcher (a match needs 31 or fewer)`;
}

function redrawNote(distinctness: DistinctnessView): string | null {
  const n = distinctness.redraws.length;
  if (n === 0) return null;
  return `Planned again ${n === 1 ? 'once' : `${n} times`}: the first plan came out too close.`;
}

export function VpdqLine({ distinctness }: { distinctness: DistinctnessView }) {
  const note = redrawNote(distinctness);
  return (
    <p class="vpdq-line small" data-testid="vpdq-line">
      {vpdqSentence(distinctness)}
      {note && <span class="muted"> {note}</span>}
    </p>
  );
}

/** What vPDQ is and what it does not promise, behind a "?". */
export function VpdqExplainer() {
  return (
    <details class="explainer">
      <summary class="explainer__toggle" aria-label="What is Meta's open video matcher?">
        ?
      </summary>
      <p class="small">
        vPDQ is the video matcher Meta published as open source: it fingerprints each frame in 256 bits of its
        shapes, and calls two videos the same when 80 % of a video's frames are within 31 bits of a frame of
        the other. vidvar measures every variation against its original and the variations before it, and
        plans again any that match. No platform publishes how it de-duplicates ads, so this is the best open
        proxy, not a promise about any platform.
      </p>
    </details>
  );
}

/** Every variation of the batch done, measurable and distinct from its original and its siblings. */
export function allDistinct(job: JobView): boolean {
  return (
    job.outputs.length > 0 &&
    job.outputs.every((o) => {
      const vpdq = o.status === 'done' ? o.distinctness?.vpdq : undefined;
      return (
        vpdq?.measurable === true && vpdq.vsSource?.match === false && vpdq.vsNearestSibling?.match !== true
      );
    })
  );
}

export function DistinctBadge({ job }: { job: JobView }) {
  if (!allDistinct(job)) return null;
  return (
    <span class="badge badge--done" data-testid="distinct-badge">
      Every variation distinct in Meta's open video matcher
    </span>
  );
}
