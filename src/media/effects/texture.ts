import type { Intensity } from '../types.js';
import { defineEffect, num, range, text } from './params.js';
import type { EffectDefinition } from './types.js';

type Bounds = Record<Intensity, [number, number]>;

const VIGNETTE: Bounds = { subtle: [0.25, 0.35], medium: [0.35, 0.5], strong: [0.5, 0.65] };

export const vignette = defineEffect({
  id: 'vignette',
  filters: ['vignette'],
  cpuCost: 1.8,
  family: 'texture',
  label: 'Vignette',
  kind: 'video',
  ranges: (intensity) => ({ angle: range(...VIGNETTE[intensity], 3) }),
  // Without dithering: the encoder smooths the dither away anyway, and it is a third of the filter's cost.
  videoFilters: (p) => [`vignette=angle=${num(p, 'angle')}:dither=0`],
  describe: (p) => `vignette (lens angle ${num(p, 'angle')} rad)`,
});

const GRAIN: Record<Intensity, [number, number]> = { subtle: [2, 4], medium: [4, 7], strong: [7, 10] };

/**
 * Film grain on the luma plane only (chroma noise looks like a broken camera). The seed is part of
 * the plan so the grain, and therefore the bytes, are reproducible; the encoder's bit-rate cap
 * keeps the noise from inflating the file.
 */
export const grain = defineEffect({
  id: 'grain',
  filters: ['noise'],
  cpuCost: 0.5,
  family: 'texture',
  label: 'Film grain',
  kind: 'video',
  ranges: (intensity) => ({
    strength: { type: 'int', min: GRAIN[intensity][0], max: GRAIN[intensity][1] },
    seed: { type: 'int', min: 1, max: 2_147_483_647 },
  }),
  videoFilters: (p) => [`noise=c0s=${num(p, 'strength')}:c0f=t+u:c0_seed=${num(p, 'seed')}`],
  describe: (p) => `film grain ${num(p, 'strength')}`,
});

const SHARPEN: Bounds = { subtle: [0.25, 0.45], medium: [0.45, 0.75], strong: [0.75, 1.1] };

/**
 * An unsharp mask on the luma plane: out = in + amount × (in − 3×3 average), as one integer
 * `convolution` kernel (scaled by 900). Half the cost of the `unsharp` filter; chroma is copied.
 */
export function lumaMask(amount: number): string {
  const n = Math.round(amount * 100);
  const ring = Array.from({ length: 4 }, () => String(-n)).join(' ');
  return `convolution=0m='${ring} ${900 + 8 * n} ${ring}':0rdiv=1/900`;
}

/** Luma only, 3x3: the cheapest unsharp mask that still shows. */
export const sharpen = defineEffect({
  id: 'sharpen',
  filters: ['convolution'],
  cpuCost: 1.9,
  family: 'texture',
  label: 'Sharpen',
  kind: 'video',
  group: 'detail',
  ranges: (intensity) => ({ amount: range(...SHARPEN[intensity], 2) }),
  videoFilters: (p) => [lumaMask(num(p, 'amount'))],
  describe: (p) => `sharpen ${num(p, 'amount')}`,
});

const SOFTEN: Bounds = { subtle: [0.2, 0.35], medium: [0.35, 0.6], strong: [0.6, 0.9] };

/** A negative mask amount blurs: luma only and 3x3 like sharpen (5x5 costs 40 % more per frame). */
export const soften = defineEffect({
  id: 'soften',
  filters: ['convolution'],
  cpuCost: 1.6,
  family: 'texture',
  label: 'Soften',
  kind: 'video',
  group: 'detail',
  ranges: (intensity) => ({ amount: range(...SOFTEN[intensity], 2) }),
  videoFilters: (p) => [lumaMask(-num(p, 'amount'))],
  describe: (p) => `soften ${num(p, 'amount')}`,
});

const FADE: Bounds = { subtle: [0.15, 0.3], medium: [0.25, 0.45], strong: [0.4, 0.7] };

/**
 * A linear blend from black or white to the picture over the first `seconds`, as `eq` with per-frame
 * expressions: contrast k and brightness ±(1 − k)/2 give k·Y + (1 − k)·colour, saturation k fades the
 * chroma. Switched off by the timeline after the fade, so later frames pass untouched; the `fade`
 * filter costs ~1 CPU-second more per 1080×1920 output.
 */
export function fadeFrom(colour: string, seconds: number): string {
  const k = `min(1,t/${seconds})`;
  const level = colour === 'white' ? 0.5 : -0.5;
  return `eq=contrast='${k}':brightness='${level}*(1-${k})':saturation='${k}':eval=frame:enable='lt(t,${seconds})'`;
}

/** A short fade in from a plain colour: the first frames, which platforms fingerprint most, change. */
export const fadeIn = defineEffect({
  id: 'fade-in',
  filters: ['eq'],
  cpuCost: 0.1,
  family: 'texture',
  label: 'Fade in',
  kind: 'video',
  weight: () => 0.5,
  available: (media) => media.durationSec >= 3,
  ranges: (intensity) => ({
    seconds: range(...FADE[intensity], 2),
    colour: { type: 'choice', values: ['black', 'white'] },
  }),
  videoFilters: (p) => [fadeFrom(text(p, 'colour'), num(p, 'seconds'))],
  describe: (p) => `fade in from ${text(p, 'colour')} over ${num(p, 'seconds')} s`,
});

export const TEXTURE_EFFECTS: readonly EffectDefinition[] = [vignette, grain, sharpen, soften, fadeIn];
