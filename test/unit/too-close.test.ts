import { describe, expect, it } from 'vitest';
import { PIXEL_FLOOR, tooClose } from '../../src/media/verify/too-close.js';
import type { VpdqDistinctness, VpdqMeasure } from '../../src/media/verify/vpdq-distinctness.js';

const measured = (matchedPercent: number): VpdqMeasure => ({
  match: matchedPercent >= 80,
  measurable: true,
  matchedPercent,
  nearestBits: matchedPercent >= 80 ? 12 : 90,
});
const unmeasurable: VpdqMeasure = { match: false, measurable: false, matchedPercent: 0, nearestBits: null };
const vpdq = (
  vsSource: VpdqMeasure | null,
  vsNearestSibling: VpdqMeasure | null = null,
): VpdqDistinctness => ({
  measurable: vsSource?.measurable ?? false,
  vsSource,
  vsNearestSibling,
});
const nearCopy = { vsSource: 0.2, structureVsSource: 0.01 };

describe('too close to deliver', () => {
  it('is decided by vPDQ wherever vPDQ measures, whatever the pixel measures say', () => {
    expect(tooClose(vpdq(measured(92)), { vsSource: 30, structureVsSource: 0.3 })).toEqual({
      closeTo: 'source',
      measure: 'vpdq',
      matchedPercent: 92,
      nearestBits: 12,
    });
    // Busy footage re-encoded reads a few grey levels; vPDQ's "distinct" stands.
    expect(tooClose(vpdq(measured(10)), nearCopy)).toBeNull();
  });

  it('falls back to the pixel floors where vPDQ cannot measure', () => {
    expect(tooClose(vpdq(unmeasurable), nearCopy)).toEqual({
      closeTo: 'source',
      measure: 'pixel',
      matchedPercent: 0,
      nearestBits: null,
      pixelDifference: 0.2,
    });
    // A tone shift or a moved picture is enough to deliver.
    expect(
      tooClose(vpdq(unmeasurable), { vsSource: PIXEL_FLOOR.difference, structureVsSource: 0 }),
    ).toBeNull();
    expect(
      tooClose(vpdq(unmeasurable), { vsSource: 0, structureVsSource: PIXEL_FLOOR.structure }),
    ).toBeNull();
    // No source hashes at all: the pixel measures still speak.
    expect(tooClose(vpdq(null), nearCopy)?.measure).toBe('pixel');
  });

  it('judges the nearest sibling the same way, after the source', () => {
    const pixel = { vsSource: 20, structureVsSource: 0.2, nearestSibling: 0.1, structureVsNearestSibling: 0 };
    expect(tooClose(vpdq(unmeasurable, unmeasurable), pixel)).toMatchObject({
      closeTo: 'sibling',
      measure: 'pixel',
    });
    expect(tooClose(vpdq(measured(5), measured(85)), pixel)).toMatchObject({
      closeTo: 'sibling',
      measure: 'vpdq',
    });
    expect(tooClose(vpdq(measured(5), measured(40)), pixel)).toBeNull();
  });

  it('says nothing when there is nothing to compare (an empty fingerprint)', () => {
    expect(tooClose(vpdq(unmeasurable), {})).toBeNull();
  });
});
