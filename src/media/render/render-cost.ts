import { effectById } from '../effects/catalog.js';
import { expectedDuration, variationFps } from '../plan/planner.js';
import type { MediaInfo, VariationPlan } from '../types.js';

/**
 * What one output costs to render, in CPU milliseconds, estimated from its plan: frames × pixels ×
 * (the encoder's cost + its effects' costs). Measured once on the dev VM (FFmpeg 5.1, one thread,
 * 1080×1920); only the ratios between outputs matter — they let the strategy give every process
 * the same amount of work, so the cores finish together instead of one idling while the other ends.
 */
const ENCODE_MS_PER_MEGAPIXEL_FRAME: Record<string, number> = {
  ultrafast: 6.6,
  superfast: 12,
  veryfast: 17,
  faster: 22,
};
/** Decoding the shared frames, scaling, audio and side outputs, per output. */
const BASE_MS_PER_MEGAPIXEL_FRAME = 1;

export function estimateRenderCost(media: MediaInfo, plan: VariationPlan, outputPixels: number): number {
  const frames = expectedDuration(media, plan) * variationFps(media, plan.effects);
  const encode = ENCODE_MS_PER_MEGAPIXEL_FRAME[plan.encode.preset] ?? 30;
  const effects = plan.effects.reduce((sum, e) => sum + (effectById(e.id).cpuCost ?? 0), 0);
  return frames * (outputPixels / 1e6) * (BASE_MS_PER_MEGAPIXEL_FRAME + encode + effects);
}
