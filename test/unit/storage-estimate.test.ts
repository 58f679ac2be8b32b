import { describe, expect, it } from 'vitest';
import {
  estimateJobBytes,
  estimateOutputBytes,
  estimateUploadBytes,
} from '../../src/storage/storage-estimate.js';
import { fakeMedia } from '../support/fake-media.js';

const MB = 1024 * 1024;

function source(opts: {
  width: number;
  height: number;
  durationSec: number;
  bitRate: number | null;
  sizeBytes?: number;
}) {
  return fakeMedia({
    ...opts,
    sizeBytes: opts.sizeBytes ?? Math.round(((opts.bitRate ?? 0) / 8) * opts.durationSec),
  });
}

const phoneAd = source({ width: 1080, height: 1920, durationSec: 30, bitRate: 6_000_000 });

describe('storage estimate', () => {
  it('grows with the number of outputs and the number of sources', () => {
    const one = estimateJobBytes([phoneAd], 1, 1920);
    expect(estimateJobBytes([phoneAd], 10, 1920)).toBeCloseTo(one * 10, -3);
    expect(estimateJobBytes([phoneAd, phoneAd], 10, 1920)).toBeCloseTo(one * 20, -3);
  });

  it('expects an output at least as large as its source, with room for effects that add detail', () => {
    const output = estimateOutputBytes(phoneAd, 1920);
    expect(output).toBeGreaterThan(phoneAd.sizeBytes);
    expect(output).toBeLessThan(phoneAd.sizeBytes * 3);
  });

  it('caps outputs of a huge-bit-rate source at what the encoder may produce', () => {
    const camera = source({ width: 3840, height: 2160, durationSec: 30, bitRate: 100_000_000 });
    const output = estimateOutputBytes(camera, 1920);
    expect(output).toBeLessThan(camera.sizeBytes / 5);
    // …and smaller outputs are allowed fewer bits.
    expect(estimateOutputBytes(camera, 960)).toBeLessThan(output / 2);
  });

  it('uses size over duration when the bit rate is unknown', () => {
    const known = source({ width: 720, height: 1280, durationSec: 20, bitRate: 2_000_000 });
    const unknown = { ...known, bitRate: null };
    expect(estimateOutputBytes(unknown, 1920)).toBeCloseTo(estimateOutputBytes(known, 1920), -3);
  });

  it('keeps a realistic batch of 3 phone ads × 10 variations within a 3 GB volume', () => {
    const bytes = estimateJobBytes([phoneAd, phoneAd, phoneAd], 10, 1920);
    expect(bytes).toBeGreaterThan(30 * phoneAd.sizeBytes);
    expect(bytes).toBeLessThan(3 * 1024 * MB);
  });

  it('reserves an upload its own size plus room for resumable-upload metadata', () => {
    expect(estimateUploadBytes(100 * MB)).toBeGreaterThan(100 * MB);
    expect(estimateUploadBytes(100 * MB)).toBeLessThan(102 * MB);
  });
});
