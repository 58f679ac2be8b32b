/**
 * Seeded pseudo-random numbers for planning variations: the same seed always yields the same
 * plans, on every machine and Node version, so a job can be rendered again byte for byte.
 *
 * The seed string is hashed with cyrb128 (four 32-bit lanes) into the state of sfc32, a small,
 * fast generator that passes PractRand; both are public domain and use only 32-bit integer maths,
 * which JavaScript evaluates identically everywhere. Never plan from the unseeded global generator.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Uniform integer in [min, max], both ends included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
  /**
   * An independent stream derived from this one's seed and the label only: it does not depend on
   * how many numbers this stream has already produced, so adding a draw elsewhere never shifts it.
   */
  fork(label: string): Random;
}

function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function sfc32(seedLanes: [number, number, number, number]): () => number {
  let [a, b, c, d] = seedLanes;
  const step = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs of sfc32 still echo the seed; discarding a few decorrelates similar seeds.
  for (let i = 0; i < 15; i++) step();
  return step;
}

export function createRandom(seed: string): Random {
  const step = sfc32(cyrb128(seed));
  const random: Random = {
    next: step,
    between: (min, max) => min + step() * (max - min),
    int: (min, max) => {
      const lo = Math.ceil(min);
      const hi = Math.floor(max);
      if (hi < lo) throw new RangeError(`empty integer range [${min}, ${max}]`);
      return lo + Math.floor(step() * (hi - lo + 1));
    },
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('cannot pick from an empty list');
      return items[Math.floor(step() * items.length)] as T;
    },
    chance: (p) => step() < p,
    fork: (label) => createRandom(`${seed}\u0000${label}`),
  };
  return random;
}
