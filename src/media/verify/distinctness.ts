import { type Fingerprint, pixelDifference, structuralDifference } from './fingerprint.js';
import type { VpdqDistinctness } from './vpdq-distinctness.js';

/**
 * What an output's distinctness record holds: vPDQ's reading (what decides), the 16×16 grey
 * measures (kept: they still speak when vPDQ cannot measure — a flat text-on-colour ad — and they
 * cost a few hundred bytes from frames already decoded), and the redraws it took.
 */
export interface Distinctness {
  vpdq: VpdqDistinctness;
  pixel: Record<string, number>;
  redraws: Redraw[];
}

/**
 * One plan that was drawn for an output and not delivered: vPDQ matched it to another video, or, where
 * vPDQ cannot measure, it stayed under the pixel floors (too-close.ts).
 */
export interface Redraw {
  /** The labelled fork of the output's seed the next plan came from: `redraw-1`, `redraw-2`… */
  label: string;
  /** The rejected plan's signature. */
  rejectedSignature: string;
  closeTo: 'source' | 'sibling';
  /** What judged it; records made before the pixel fallback have none and were all vPDQ's. */
  measure?: 'vpdq' | 'pixel';
  /** vPDQ's share of matching frames (0 when the pixel measures judged). */
  matchedPercent: number;
  nearestBits: number | null;
  /** The mean grey-level difference, when the pixel measures judged. */
  pixelDifference?: number;
}

/** How far an output is from its source and from the nearest sibling checked before it, on 16×16 grey frames. */
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
