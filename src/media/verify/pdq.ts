import { JaroszDownsampler, type LumaFrame } from './jarosz.js';
import { PDQ_SIDE } from './jarosz-weights.js';

/**
 * PDQ, Meta's perceptual picture hash, written from its published description (ThreatExchange
 * hashing.pdf): luma → 64×64 by the Jarosz filter → the 16×16 lowest non-constant DCT coefficients →
 * one bit per coefficient, set when it is above their median. Pictures that look alike get hashes
 * a few bits apart. The quality score says how much detail the hash rests on: a flat picture's bits
 * are noise, so vPDQ ignores frames under 50.
 *
 * Give it pictures that fit in 512 px (FFmpeg shrinks frames before they reach JS). The reference
 * tools shrink larger pictures the same way before hashing; with that step the reference pictures
 * get their expected hashes exactly, while hashed at full size they land 4–12 bits away, for 5–10×
 * the work.
 */
export interface PdqHash {
  /** 64 hex digits, as the published tools print them. */
  hex: string;
  /** 0 (flat) to 100 (plenty of gradients). */
  quality: number;
}

const COEFFS = 16;

/**
 * Rows 1–16 of the 64-point DCT-II basis (row 0, the mean, is left out: brightness does not count).
 * Built once; the transform is then two small matrix products.
 */
const DCT = buildDctMatrix();

function buildDctMatrix(): Float64Array {
  const matrix = new Float64Array(COEFFS * PDQ_SIDE);
  const scale = Math.sqrt(2 / PDQ_SIDE);
  for (let i = 0; i < COEFFS; i++) {
    for (let j = 0; j < PDQ_SIDE; j++) {
      matrix[i * PDQ_SIDE + j] = scale * Math.cos((Math.PI / (2 * PDQ_SIDE)) * (i + 1) * (2 * j + 1));
    }
  }
  return matrix;
}

/** Hashes frame after frame with the same buffers: no allocation per frame but the hex string. */
export class PdqHasher {
  private readonly downsampler = new JaroszDownsampler();
  private readonly luma = new Float64Array(PDQ_SIDE * PDQ_SIDE);
  private readonly half = new Float64Array(COEFFS * PDQ_SIDE);
  private readonly coeffs = new Float64Array(COEFFS * COEFFS);
  private readonly sorted = new Float64Array(COEFFS * COEFFS);

  hash(frame: LumaFrame): PdqHash {
    this.downsampler.downsample(frame, this.luma);
    const quality = gradientQuality(this.luma);
    this.transform();
    return { hex: this.threshold(), quality };
  }

  /** coeffs = D · luma · Dᵀ, D being the 16×64 basis. */
  private transform(): void {
    const { luma, half, coeffs } = this;
    // Row by row, so that both arrays are read in memory order.
    half.fill(0);
    for (let i = 0; i < COEFFS; i++) {
      const into = i * PDQ_SIDE;
      for (let k = 0; k < PDQ_SIDE; k++) {
        const d = DCT[i * PDQ_SIDE + k] as number;
        const from = k * PDQ_SIDE;
        for (let col = 0; col < PDQ_SIDE; col++) {
          half[into + col] = (half[into + col] as number) + d * (luma[from + col] as number);
        }
      }
    }
    for (let i = 0; i < COEFFS; i++) {
      for (let j = 0; j < COEFFS; j++) {
        let sum = 0;
        for (let k = 0; k < PDQ_SIDE; k++) {
          sum += (half[i * PDQ_SIDE + k] as number) * (DCT[j * PDQ_SIDE + k] as number);
        }
        coeffs[i * COEFFS + j] = sum;
      }
    }
  }

  /**
   * Bit (row i, column j) of the coefficients is bit j of 16-bit word i; the hex digits list the
   * words from the last to the first, the order the reference tools print.
   */
  private threshold(): string {
    const { coeffs, sorted } = this;
    sorted.set(coeffs);
    sorted.sort();
    // The lower of the two middle values: exactly half of 256 distinct coefficients lie above it.
    const median = sorted[(COEFFS * COEFFS) / 2 - 1] as number;
    let hex = '';
    for (let i = COEFFS - 1; i >= 0; i--) {
      let word = 0;
      for (let j = 0; j < COEFFS; j++) if ((coeffs[i * COEFFS + j] as number) > median) word |= 1 << j;
      hex += word.toString(16).padStart(4, '0');
    }
    return hex;
  }
}

/**
 * Sum of the steps between neighbours of the 64×64 luma, each on a 0–100 scale and truncated to a
 * whole number, divided by 90 and capped at 100: the published quality metric.
 */
export function gradientQuality(luma: Float64Array): number {
  let sum = 0;
  for (let y = 0; y < PDQ_SIDE; y++) {
    for (let x = 0; x < PDQ_SIDE; x++) {
      const here = luma[y * PDQ_SIDE + x] as number;
      if (x + 1 < PDQ_SIDE)
        sum += Math.abs(Math.trunc(((here - (luma[y * PDQ_SIDE + x + 1] as number)) * 100) / 255));
      if (y + 1 < PDQ_SIDE)
        sum += Math.abs(Math.trunc(((here - (luma[(y + 1) * PDQ_SIDE + x] as number)) * 100) / 255));
    }
  }
  return Math.min(100, Math.floor(sum / 90));
}

const shared = new PdqHasher();

/** One picture's hash; for many frames keep a PdqHasher of your own (the same, without sharing). */
export function pdqHash(frame: LumaFrame): PdqHash {
  return shared.hash(frame);
}
