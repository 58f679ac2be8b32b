import type { Distinctness } from '../../src/media/index.js';

/** A distinctness record as a render of a distinct output makes it, for tests that stand in for the render. */
export function distinctRecord(pixelVsSource = 0.3): Distinctness {
  return {
    vpdq: {
      measurable: true,
      vsSource: { match: false, measurable: true, matchedPercent: 0, nearestBits: 94 },
      vsNearestSibling: null,
    },
    pixel: { vsSource: pixelVsSource },
    redraws: [],
  };
}
