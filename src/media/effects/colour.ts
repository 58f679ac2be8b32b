import type { EffectParams, Intensity } from '../types.js';
import { defineEffect, num, percent, range, round, signed, spread } from './params.js';
import { eqMap, lutyuvOps } from './point-ops.js';
import type { EffectDefinition, PlaneMap } from './types.js';

type Bounds = Record<Intensity, [number, number]>;

/*
 * Colour effects stay on the YUV planes (eq, hue, lutyuv): the RGB-based filters
 * (colorbalance, colortemperature, curves) cost 5-10x more per frame on a shared CPU.
 */

const BRIGHTNESS: Bounds = { subtle: [0.02, 0.04], medium: [0.04, 0.07], strong: [0.07, 0.11] };

export const brightness = defineEffect({
  id: 'brightness',
  filters: ['eq'],
  cpuCost: 0.4,
  family: 'colour',
  label: 'Brightness',
  kind: 'video',
  ranges: (intensity) => ({ brightness: spread(0, ...BRIGHTNESS[intensity], 3) }),
  videoFilters: (p) => [`eq=brightness=${num(p, 'brightness')}`],
  pointOps: (p) => ({ y: eqMap({ brightness: num(p, 'brightness') }) }),
  describe: (p) => `brightness ${signed(num(p, 'brightness'))}`,
});

const CONTRAST: Bounds = { subtle: [0.03, 0.06], medium: [0.06, 0.12], strong: [0.12, 0.2] };

export const contrast = defineEffect({
  id: 'contrast',
  filters: ['eq'],
  cpuCost: 0.4,
  family: 'colour',
  label: 'Contrast',
  kind: 'video',
  ranges: (intensity) => ({ contrast: spread(1, ...CONTRAST[intensity], 3) }),
  videoFilters: (p) => [`eq=contrast=${num(p, 'contrast')}`],
  pointOps: (p) => ({ y: eqMap({ contrast: num(p, 'contrast') }) }),
  describe: (p) => `contrast ${percent(num(p, 'contrast') - 1)}`,
});

const SATURATION: Bounds = { subtle: [0.06, 0.12], medium: [0.12, 0.22], strong: [0.22, 0.38] };

export const saturation = defineEffect({
  id: 'saturation',
  filters: ['eq'],
  cpuCost: 0.4,
  family: 'colour',
  label: 'Saturation',
  kind: 'video',
  ranges: (intensity) => ({ saturation: spread(1, ...SATURATION[intensity], 3) }),
  videoFilters: (p) => [`eq=saturation=${num(p, 'saturation')}`],
  // eq scales both chroma planes about their middle by the saturation, as contrast does luma.
  pointOps: (p) => {
    const scale = eqMap({ contrast: num(p, 'saturation') });
    return { u: scale, v: scale };
  },
  describe: (p) => `saturation ${percent(num(p, 'saturation') - 1)}`,
});

const GAMMA: Bounds = { subtle: [0.04, 0.08], medium: [0.08, 0.14], strong: [0.14, 0.24] };

export const gamma = defineEffect({
  id: 'gamma',
  filters: ['eq'],
  cpuCost: 0.4,
  family: 'colour',
  label: 'Gamma',
  kind: 'video',
  ranges: (intensity) => ({ gamma: spread(1, ...GAMMA[intensity], 3) }),
  videoFilters: (p) => [`eq=gamma=${num(p, 'gamma')}`],
  pointOps: (p) => ({ y: eqMap({ gamma: num(p, 'gamma') }) }),
  describe: (p) => `gamma ${num(p, 'gamma')}`,
});

const HUE: Bounds = { subtle: [2, 5], medium: [5, 10], strong: [10, 18] };

export const hue = defineEffect({
  id: 'hue',
  filters: ['hue'],
  cpuCost: 0.5,
  family: 'colour',
  label: 'Hue shift',
  kind: 'video',
  ranges: (intensity) => ({ degrees: spread(0, ...HUE[intensity], 1) }),
  videoFilters: (p) => [`hue=h=${num(p, 'degrees')}`],
  describe: (p) => `hue ${signed(num(p, 'degrees'))}°`,
});

const TEMPERATURE: Bounds = { subtle: [2, 4], medium: [4, 7], strong: [7, 11] };

/**
 * Warmer (positive) or cooler (negative) by moving the chroma planes in opposite directions:
 * more red and less blue is warm. A lookup table per plane costs almost nothing.
 */
export const temperature = defineEffect({
  id: 'temperature',
  filters: ['lutyuv'],
  cpuCost: 0.5,
  family: 'colour',
  label: 'Colour temperature',
  kind: 'video',
  ranges: (intensity) => ({ shift: spread(0, ...TEMPERATURE[intensity], 0) }),
  videoFilters: (p) => {
    const shift = num(p, 'shift');
    return [`lutyuv=u=val${signed(-shift)}:v=val${signed(shift)}`];
  },
  pointOps: (p) => {
    const shift = num(p, 'shift');
    return lutyuvOps({ u: (x) => `${x}${signed(-shift)}`, v: (x) => `${x}${signed(shift)}` });
  },
  describe: (p) => `${num(p, 'shift') > 0 ? 'warmer' : 'cooler'} by ${Math.abs(num(p, 'shift'))} levels`,
});

const CURVE: Record<Intensity, { lift: [number, number]; mid: [number, number]; roll: [number, number] }> = {
  subtle: { lift: [0.005, 0.02], mid: [0.01, 0.02], roll: [0.005, 0.02] },
  medium: { lift: [0.02, 0.04], mid: [0.02, 0.035], roll: [0.02, 0.04] },
  strong: { lift: [0.04, 0.07], mid: [0.035, 0.055], roll: [0.03, 0.06] },
};

/**
 * The parabola through (0, black), (0.5, mid) and (1, white), applied to luma as a lookup table:
 * the `curves` filter would convert every frame to RGB and back, 10× the cost.
 */
export function toneCurve(black: number, mid: number, white: number): PlaneMap {
  const a1 = round(4 * mid - white - 3 * black, 4);
  const a2 = round(2 * white + 2 * black - 4 * mid, 4);
  return (value) => {
    const x = `((${value}-16)/219)`;
    return `clip(16+219*(${black}+${a1}*${x}+${a2}*${x}*${x}),0,255)`;
  };
}

const curveOf = (p: EffectParams) => toneCurve(num(p, 'black'), num(p, 'mid'), num(p, 'white'));

/** A tone curve: lifted blacks, a shifted mid-tone and rolled-off whites, a "faded film" look. */
export const curves = defineEffect({
  id: 'curves',
  filters: ['lutyuv'],
  cpuCost: 0.5,
  family: 'colour',
  label: 'Tone curve',
  kind: 'video',
  ranges: (intensity) => {
    const { lift, mid, roll } = CURVE[intensity];
    return {
      black: range(...lift, 3),
      mid: spread(0.5, ...mid, 3),
      white: range(1 - roll[1], 1 - roll[0], 3),
    };
  },
  videoFilters: (p) => [`lutyuv=y='${curveOf(p)('val')}'`],
  pointOps: (p) => lutyuvOps({ y: curveOf(p) }),
  describe: (p) => `tone curve (mid-tones ${signed(Math.round((num(p, 'mid') - 0.5) * 1000) / 10)}%)`,
});

/**
 * In the order their filters run. Hue comes first: it turns the chroma planes only, so it changes
 * places freely with the luma maps and with saturation (a scaling about the middle), and the point
 * operations after it form one run, one lookup table.
 */
export const COLOUR_EFFECTS: readonly EffectDefinition[] = [
  hue,
  brightness,
  contrast,
  saturation,
  gamma,
  temperature,
  curves,
];
