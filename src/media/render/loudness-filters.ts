import { num } from '../effects/params.js';
import type { PlannedEffect } from '../types.js';

/**
 * Loudness in the render: one gain that brings the source's measured integrated loudness to the
 * target, then a limiter that holds peaks under the ceiling. Both run inside the render's own audio
 * chain, after the effects, so no output takes a second pass.
 */

/** What the render needs: where to go, and where the source was measured. */
export interface LoudnessTarget {
  targetLufs: number;
  sourceLufs: number;
  /** The ceiling for true peaks, dBTP; the limiter holds sample peaks 1 dB under it (AAC overshoots). */
  truePeakDb: number;
}

export const LOUDNESS_FILTERS: readonly string[] = ['volume', 'alimiter'];

/** A gain beyond this would lift a near-silent source's noise floor into the programme. */
const MAX_GAIN_DB = 24;
/** What AAC's encoding adds to the limiter's sample peaks, measured as true peak: up to ~0.6 dB. */
const AAC_OVERSHOOT_DB = 1;

/**
 * The gain and limiter for one variation. Its own volume effect is taken off the gain: the planned
 * ±dB would otherwise move every output off the target by just that much.
 */
export function loudnessFilters(target: LoudnessTarget, effects: readonly PlannedEffect[]): string[] {
  const planned = effects.filter((e) => e.id === 'volume').reduce((sum, e) => sum + num(e.params, 'db'), 0);
  const raw = target.targetLufs - target.sourceLufs - planned;
  const gain = Math.round(Math.max(-MAX_GAIN_DB, Math.min(MAX_GAIN_DB, raw)) * 100) / 100;
  const limit = 10 ** ((target.truePeakDb - AAC_OVERSHOOT_DB) / 20);
  // level=0: no make-up gain (the level is ours); latency=1: the lookahead adds no delay.
  return [`volume=${gain}dB`, `alimiter=limit=${limit.toFixed(4)}:level=0:latency=1`];
}
