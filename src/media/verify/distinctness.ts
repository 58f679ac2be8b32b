import { type Fingerprint, pixelDifference, structuralDifference } from './fingerprint.js';

/** How far an output is from its source and from the nearest sibling checked before it. */
export function measureDistinctness(
  print: Fingerprint,
  source: Fingerprint | null,
  siblings: Fingerprint[],
): Record<string, number> {
  const result: Record<string, number> = {};
  // A fingerprint can come out empty (a stream that changes size mid-way): then there is no measure.
  const comparable = (f: Fingerprint | null): f is Fingerprint => f !== null && f.frames.length > 0;
  if (!comparable(print)) return result;
  if (comparable(source)) {
    result.vsSource = pixelDifference(print, source);
    result.structureVsSource = structuralDifference(print, source);
  }
  const others = siblings.filter(comparable);
  if (others.length > 0) {
    result.nearestSibling = Math.min(...others.map((s) => pixelDifference(print, s)));
    result.structureVsNearestSibling = Math.min(...others.map((s) => structuralDifference(print, s)));
  }
  return result;
}
