import { describe, expect, it } from 'vitest';
import { createRandom } from '../../src/media/plan/random.js';
import { pdqHexFromWords, pdqWords } from '../../src/media/verify/pdq-bits.js';
import { compareVideos, startComparison, type VpdqFrame } from '../../src/media/verify/vpdq.js';

/** A hash with `bits` of its 256 bits flipped, chosen by `random`. */
function flip(hex: string, bits: number, random: () => number): string {
  const words = pdqWords(hex);
  for (let n = 0; n < bits; n++) {
    const bit = Math.floor(random() * 256);
    words[bit >> 5] = ((words[bit >> 5] as number) ^ (1 << (bit & 31))) >>> 0;
  }
  return pdqHexFromWords(words);
}

describe('vPDQ matching in slices', () => {
  it('gives exactly what compareVideos gives, whatever the slice size', () => {
    const random = createRandom('vpdq-slices').next;
    const hex = () => pdqHexFromWords(Uint32Array.from({ length: 8 }, () => Math.floor(random() * 2 ** 32)));
    const query: VpdqFrame[] = Array.from({ length: 40 }, () => ({ quality: 100, hex: hex() }));
    // Half near copies (within and beyond 31 bits), half unrelated, a few too flat to count.
    const compared: VpdqFrame[] = query.map((f, i) => ({
      quality: i % 9 === 0 ? 20 : 90,
      hex: i % 2 === 0 ? flip(f.hex, (i * 3) % 50, random) : hex(),
    }));
    const whole = compareVideos(query, compared);
    for (const rows of [1, 3, 7, 40, 1000]) {
      const matching = startComparison(query, compared);
      expect(matching.pairsPerRow).toBe(whole.comparedFrames);
      while (matching.rowsLeft > 0) matching.step(rows);
      expect(matching.result()).toEqual(whole);
    }
    expect(whole.comparedMatchedPercent).toBeGreaterThan(0);
    expect(whole.comparedMatchedPercent).toBeLessThan(100);
  });

  it('refuses to give a verdict before every frame was compared', () => {
    const frames: VpdqFrame[] = Array.from({ length: 5 }, (_, i) => ({
      quality: 100,
      hex: `${i}`.repeat(64),
    }));
    const matching = startComparison(frames, frames);
    matching.step(2);
    expect(matching.rowsLeft).toBe(3);
    expect(() => matching.result()).toThrow(/before every frame/);
  });
});
