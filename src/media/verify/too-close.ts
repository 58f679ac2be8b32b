import type { Redraw } from './distinctness.js';
import type { VpdqDistinctness, VpdqMeasure } from './vpdq-distinctness.js';

/**
 * Where vPDQ cannot judge (too few frames of PDQ quality 50: flat colour, text on a plain
 * background), the 16×16 grey measures decide instead. On such pictures a re-encode moves them by
 * almost nothing (0.00–0.004 grey levels and gradient bits, measured at CRF 23 and 30), while a
 * variation either shifts the tone (a subtle brightness step alone is several levels) or moves the
 * picture (reframing flips gradient bits): an output below both floors looks like its source.
 * They do not decide where vPDQ can: on busy footage a re-encode alone reads 1–2.4 levels.
 */
export const PIXEL_FLOOR = {
  /** Mean grey-level difference, 0–255. */
  difference: 1,
  /** Share of the 16×16 gradient bits that differ, 0–1. */
  structure: 0.05,
} as const;

/** Why an output must not be delivered, as its Redraw record says it (label filled in by the redraw). */
export type TooClose = Omit<Redraw, 'label' | 'rejectedSignature'>;

/**
 * Too close to its source or to a sibling delivered before it: vPDQ's match where vPDQ measures the
 * pair, the pixel floors where it cannot. The source is checked first: that is what a marketer asks.
 */
export function tooClose(vpdq: VpdqDistinctness, pixel: Record<string, number>): TooClose | null {
  return (
    judge('source', vpdq.vsSource, pixel.vsSource, pixel.structureVsSource) ??
    judge('sibling', vpdq.vsNearestSibling, pixel.nearestSibling, pixel.structureVsNearestSibling)
  );
}

function judge(
  closeTo: 'source' | 'sibling',
  measure: VpdqMeasure | null,
  difference: number | undefined,
  structure: number | undefined,
): TooClose | null {
  if (measure?.measurable) {
    if (!measure.match) return null;
    const { matchedPercent, nearestBits } = measure;
    return { closeTo, measure: 'vpdq', matchedPercent, nearestBits };
  }
  // No frames to compare either way (a stream that changes size mid-way): nothing can be judged.
  if (difference === undefined || structure === undefined) return null;
  if (difference >= PIXEL_FLOOR.difference || structure >= PIXEL_FLOOR.structure) return null;
  return { closeTo, measure: 'pixel', matchedPercent: 0, nearestBits: null, pixelDifference: difference };
}
