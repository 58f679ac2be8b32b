import type { EncodeSettings, Intensity } from '../types.js';
import type { Random } from './random.js';

/** CRF bounds: every value here still looks clean on a phone; wider at strong for more byte-level spread. */
const CRF: Record<Intensity, [number, number]> = { subtle: [21, 23], medium: [20, 24], strong: [20, 25] };
const GOP_SECONDS = [1, 1.5, 2, 2.5, 3, 4] as const;
const AUDIO_BITRATES_K = [112, 128, 144, 160] as const;

/**
 * x264 options vidvar adds to a preset. `ultrafast` switches off CABAC and the deblocking filter;
 * turning both back on costs ~20 % of its encode time and buys most of the gap to `superfast`
 * (SSIM 0.943 → 0.979 on grainy 1080×1920 footage under the rate cap, `superfast` 0.983 at 1.6× the
 * time) — the README has the measurements.
 */
const PRESET_TUNING: Record<string, string> = { ultrafast: 'cabac=1:deblock=1' };

export function x264ParamsFor(preset: string): string {
  return PRESET_TUNING[preset] ?? '';
}

/** The encode also varies between outputs: quality target, keyframe spacing and audio bit rate. */
export function planEncodeSettings(
  rng: Random,
  intensity: Intensity,
  fps: number,
  preset: string,
): EncodeSettings {
  const [lo, hi] = CRF[intensity];
  return {
    crf: rng.int(lo, hi),
    gop: Math.max(1, Math.round(fps * rng.pick(GOP_SECONDS))),
    preset,
    x264Params: x264ParamsFor(preset),
    audioBitrateK: rng.pick(AUDIO_BITRATES_K),
  };
}

/** Bits per pixel per frame that the rate cap allows: generous for real footage, fatal to runaway grain. */
const CAP_BITS_PER_PIXEL = 0.12;
const MIN_MAXRATE_K = 400;

/**
 * VBV cap for x264 in CRF mode, scaled to the output: noise and grain cannot inflate a file past
 * it (≈7.5 Mbit/s for 1080x1920 at 30 fps), while normal footage stays below it and CRF decides.
 */
export function videoRateCap(
  width: number,
  height: number,
  fps: number,
): { maxrateK: number; bufsizeK: number } {
  const maxrateK = Math.max(MIN_MAXRATE_K, Math.round((width * height * fps * CAP_BITS_PER_PIXEL) / 1000));
  return { maxrateK, bufsizeK: maxrateK * 2 };
}
