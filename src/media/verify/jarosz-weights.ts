/**
 * The Jarosz filter of one axis as weights. PDQ filters each axis with two passes of a 1-D box of
 * ceil(side / 128) samples (two boxes make a tent: a cheap low-pass that keeps the sampling from
 * aliasing), a box near an edge averaging only the samples that exist, and then keeps the sample
 * at the centre of each of 64 equal slices. Only those 64 outputs are ever read, and each is a fixed
 * weighted sum of at most 2·window − 1 inputs: computing the weights once per side turns the two
 * passes over every pixel into one short dot product per output.
 */
export const PDQ_SIDE = 64;

export interface AxisWeights {
  side: number;
  /** Longest run of inputs one output reads: 2·window − 1. */
  span: number;
  /** First input of output i. */
  start: Int32Array;
  /** Inputs output i reads (fewer than span near the edges). */
  length: Int32Array;
  /** Weights of output i at span·i … span·i + length[i] − 1. */
  weights: Float64Array;
}

export function jaroszWindow(side: number): number {
  return Math.ceil(side / (2 * PDQ_SIDE));
}

/** The centre of the i-th of 64 equal slices of a side. */
export function sampleIndex(i: number, side: number): number {
  return Math.floor(((i + 0.5) * side) / PDQ_SIDE);
}

export function axisWeights(side: number): AxisWeights {
  const window = jaroszWindow(side);
  // A box of `window` samples: floor(window / 2) after the centre and the rest before it.
  const after = Math.floor(window / 2);
  const before = window - 1 - after;
  const span = 2 * window - 1;
  const start = new Int32Array(PDQ_SIDE);
  const length = new Int32Array(PDQ_SIDE);
  const weights = new Float64Array(PDQ_SIDE * span);
  const box = (centre: number) => ({
    lo: Math.max(0, centre - before),
    hi: Math.min(side - 1, centre + after),
  });
  for (let i = 0; i < PDQ_SIDE; i++) {
    const outer = box(sampleIndex(i, side));
    const first = Math.max(0, outer.lo - before);
    const last = Math.min(side - 1, outer.hi + after);
    start[i] = first;
    length[i] = last - first + 1;
    const outerCount = outer.hi - outer.lo + 1;
    // The second pass averages first-pass boxes; each of those averages its own inputs.
    for (let j = outer.lo; j <= outer.hi; j++) {
      const inner = box(j);
      const share = 1 / (outerCount * (inner.hi - inner.lo + 1));
      for (let k = inner.lo; k <= inner.hi; k++) {
        const at = i * span + (k - first);
        weights[at] = (weights[at] as number) + share;
      }
    }
  }
  return { side, span, start, length, weights };
}
