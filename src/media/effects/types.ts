import type { Random } from '../plan/random.js';
import type { EffectParams, Intensity, MediaInfo } from '../types.js';

/** The value after the operation as an FFmpeg expression of `x`, the value before (0–255). */
export type PlaneMap = (x: string) => string;

export interface PointOps {
  y?: PlaneMap;
  u?: PlaneMap;
  v?: PlaneMap;
}

export type EffectKind = 'video' | 'audio' | 'timing';

/** What a filter may rely on when it is built: the render command derives it from the source and options. */
export interface FilterContext {
  /** Output frame size: every video filter receives frames of this size and must return the same size. */
  width: number;
  height: number;
  /** Frame rate of the output unless an effect overrides it. */
  fps: number;
  /** Source duration in seconds, before any trim or speed change. */
  durationSec: number;
  /** Audio sample rate inside the filter chain (the chain resamples to it first). */
  sampleRate: number;
}

/**
 * The allowed values of one parameter at one intensity. `around` makes the range two-sided:
 * |value - around| lies in [min, max], so "±4-7 %" is one spec. Bounds are already rounded to
 * `decimals`, so a rounded sample never leaves them.
 */
export interface NumberSpec {
  type: 'number';
  min: number;
  max: number;
  decimals: number;
  around?: number;
}

export type ParamSpec =
  | NumberSpec
  | { type: 'int'; min: number; max: number }
  | { type: 'choice'; values: readonly (string | number)[] };

export type ParamSpecs = Record<string, ParamSpec>;

export interface EffectDefinition {
  id: string;
  /**
   * Every FFmpeg filter its filter functions may emit, whatever the parameters: the start-up check
   * asks FFmpeg for exactly these (plus the render command's own), and a test holds real commands to it.
   */
  filters: readonly string[];
  /** Planner slot: framing, orientation, colour, texture, timing, audio. */
  family: string;
  label: string;
  kind: EffectKind;
  /** Effects sharing a group never combine in one plan (two zooms, sharpen + soften). */
  group?: string;
  /**
   * CPU milliseconds the effect's filters add per output megapixel per frame (FFmpeg 5.1, one thread
   * of the 2-vCPU dev VM); 0 when negligible. Only used to balance work between processes.
   */
  cpuCost?: number;
  /** Relative chance of being picked within its family at this intensity (and protection); 0 = never. Default 1. */
  weight?(intensity: Intensity, protect?: boolean): number;
  /** Whether the effect makes sense for this source (audio effects need audio, trims need length). */
  available?(media: MediaInfo): boolean;
  /** The exact allowed parameter values; the catalogue test holds every sample to them. */
  ranges(intensity: Intensity, media: MediaInfo): ParamSpecs;
  /**
   * With "Protect text and logos" on: ranges that keep the text-safe area whole (safe-area.ts), or
   * null when no value can. Absent: `ranges` never cut into the picture.
   */
  protectedRanges?(intensity: Intensity, media: MediaInfo): ParamSpecs | null;
  /** `protect`: draw within `protectedRanges` (and whatever else keeps the safe area whole). */
  sample(rng: Random, intensity: Intensity, media: MediaInfo, protect?: boolean): EffectParams;
  videoFilters?(params: EffectParams, ctx: FilterContext): string[];
  /** The same change as per-plane value maps, when it is a point operation (see point-ops.ts). */
  pointOps?(params: EffectParams): PointOps;
  audioFilters?(params: EffectParams, ctx: FilterContext): string[];
  /** A generated signal (a source filter chain) mixed into the audio after this effect's position. */
  audioSource?(params: EffectParams, ctx: FilterContext): string;
  /** Output duration given the duration before this effect (speed, trim). */
  retime?(params: EffectParams, durationSec: number): number;
  /** Output frame rate this effect imposes (frame-rate change). */
  outputFps?(params: EffectParams): number;
  describe(params: EffectParams): string;
}
