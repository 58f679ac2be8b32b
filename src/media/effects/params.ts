import type { Random } from '../plan/random.js';
import type { EffectParams, EffectParamValue, Intensity, MediaInfo } from '../types.js';
import type { EffectDefinition, NumberSpec, ParamSpec, ParamSpecs } from './types.js';

/** Rounds half away from zero to `decimals` places; -0 becomes 0 so signatures never show "-0". */
export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = (Math.sign(value) * Math.round(Math.abs(value) * factor)) / factor;
  return rounded === 0 ? 0 : rounded;
}

/** A one-sided range with bounds rounded inward, so rounded samples stay inside. */
export function range(min: number, max: number, decimals: number): NumberSpec {
  const factor = 10 ** decimals;
  // The inner round absorbs float noise such as 0.98 * 1000 = 980.0000000000001.
  const inward = (value: number, towards: (v: number) => number) =>
    towards(round(value * factor, 6)) / factor;
  return { type: 'number', min: inward(min, Math.ceil), max: inward(max, Math.floor), decimals };
}

/** A two-sided range: value = around ± [min, max]. */
export function spread(around: number, min: number, max: number, decimals: number): NumberSpec {
  return { ...range(min, max, decimals), around };
}

function sampleSpec(rng: Random, spec: ParamSpec): EffectParamValue {
  if (spec.type === 'int') return rng.int(spec.min, spec.max);
  if (spec.type === 'choice') return rng.pick(spec.values);
  const magnitude = Math.min(
    spec.max,
    Math.max(spec.min, round(rng.between(spec.min, spec.max), spec.decimals)),
  );
  if (spec.around === undefined) return magnitude;
  const sign = rng.chance(0.5) ? 1 : -1;
  return round(spec.around + sign * magnitude, spec.decimals);
}

/** Samples every parameter in key order, so the draw sequence does not depend on object layout. */
export function sampleSpecs(rng: Random, specs: ParamSpecs): EffectParams {
  const params: EffectParams = {};
  for (const key of Object.keys(specs).sort()) params[key] = sampleSpec(rng, specs[key] as ParamSpec);
  return params;
}

/** True when `value` is one the spec allows: the contract every sample and every stored plan meets. */
export function withinSpec(value: EffectParamValue, spec: ParamSpec): boolean {
  if (spec.type === 'choice') return spec.values.includes(value as string | number);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (spec.type === 'int') return Number.isInteger(value) && value >= spec.min && value <= spec.max;
  if (round(value, spec.decimals) !== value) return false;
  const magnitude = spec.around === undefined ? value : round(Math.abs(value - spec.around), spec.decimals);
  return magnitude >= spec.min && magnitude <= spec.max;
}

export function num(params: EffectParams, key: string): number {
  const value = params[key];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TypeError(`effect parameter ${key} must be a number`);
  return value;
}

export function text(params: EffectParams, key: string): string {
  const value = params[key];
  if (typeof value !== 'string') throw new TypeError(`effect parameter ${key} must be a string`);
  return value;
}

/** "+3" / "-3": for expressions such as `val+3` and for descriptions. */
export function signed(value: number): string {
  return value < 0 ? `${value}` : `+${value}`;
}

export function percent(fraction: number): string {
  return `${signed(round(fraction * 100, 1))}%`;
}

type EffectSpec = Omit<EffectDefinition, 'sample'> & Partial<Pick<EffectDefinition, 'sample'>>;

/** Most effects sample straight from their ranges; this fills in that sampler. */
export function defineEffect(spec: EffectSpec): EffectDefinition {
  return {
    ...spec,
    sample:
      spec.sample ??
      ((rng: Random, intensity: Intensity, media: MediaInfo, protect = false) =>
        sampleSpecs(
          rng,
          (protect ? spec.protectedRanges?.(intensity, media) : null) ?? spec.ranges(intensity, media),
        )),
  };
}
