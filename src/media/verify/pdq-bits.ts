/**
 * A PDQ hash as data: 256 bits written as 64 hex digits (the form the published tools print and
 * read), or as eight 32-bit words for comparing many hashes fast. Word k holds hex digits 8k–8k+7.
 */
export const PDQ_BITS = 256;
export const PDQ_HEX_LENGTH = 64;
const WORDS = 8;

/** Published threshold: two pictures whose hashes differ in at most this many bits are the same. */
export const PDQ_MATCH_DISTANCE = 31;

const HEX = /^[0-9a-f]{64}$/i;

export function isPdqHex(text: string): boolean {
  return HEX.test(text);
}

/** Parses 64 hex digits into `out` (8 words), or into a new array. */
export function pdqWords(hex: string, out = new Uint32Array(WORDS)): Uint32Array {
  if (!isPdqHex(hex)) throw new RangeError(`not a PDQ hash (64 hex digits): ${hex.slice(0, 80)}`);
  for (let k = 0; k < WORDS; k++) out[k] = Number.parseInt(hex.slice(k * 8, k * 8 + 8), 16);
  return out;
}

export function pdqHexFromWords(words: Uint32Array): string {
  let hex = '';
  for (let k = 0; k < WORDS; k++) hex += (words[k] as number).toString(16).padStart(8, '0');
  return hex;
}

/** Bits set in a 32-bit word (SWAR popcount: no loop over the bits). */
function popcount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Bits that differ between hash `i` of `a` and hash `j` of `b` (flat arrays of 8 words a hash). */
export function wordsDistance(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  let distance = 0;
  const ai = i * WORDS;
  const bj = j * WORDS;
  for (let k = 0; k < WORDS; k++) distance += popcount(((a[ai + k] as number) ^ (b[bj + k] as number)) >>> 0);
  return distance;
}

/** Hamming distance of two hashes given as hex: 0 (same bits) to 256. */
export function hammingDistance(a: string, b: string): number {
  return wordsDistance(pdqWords(a), 0, pdqWords(b), 0);
}

/** Many hex hashes packed one after another, 8 words each, for wordsDistance. */
export function packPdqHashes(hexes: readonly string[]): Uint32Array {
  const packed = new Uint32Array(hexes.length * WORDS);
  hexes.forEach((hex, i) => {
    pdqWords(hex, packed.subarray(i * WORDS, (i + 1) * WORDS));
  });
  return packed;
}
