import type { MediaInfo } from '../types.js';

export interface OutputGeometry {
  width: number;
  height: number;
  fps: number;
}

export const MAX_OUTPUT_FPS = 60;
const MIN_OUTPUT_FPS = 10;
/** Used when a source reports no usable frame rate at all (0, NaN, absurd values). */
const FALLBACK_FPS = 30;

/** Nearest even number, at least 2: H.264 4:2:0 needs even dimensions (frame sizes, crop windows). */
export function even(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

/** Frame rate of every output of this source: the source average, kept within what players and platforms accept. */
export function outputFps(media: MediaInfo): number {
  const fps = media.video.fps;
  if (!Number.isFinite(fps) || fps <= 0 || fps > 1000) return FALLBACK_FPS;
  return Math.round(Math.min(MAX_OUTPUT_FPS, Math.max(MIN_OUTPUT_FPS, fps)) * 1000) / 1000;
}

/**
 * Size and rate of every output of this source: the displayed aspect (rotation and pixel aspect
 * already applied by the probe) with the long side capped, both sides even.
 */
export function outputGeometry(media: MediaInfo, maxLongSide: number): OutputGeometry {
  const { width, height } = media.video;
  const scale = Math.min(1, maxLongSide / Math.max(width, height));
  // Rounding to even must not push an odd cap (e.g. 1081) over the limit.
  const cap = Math.max(2, Math.floor(maxLongSide / 2) * 2);
  return {
    width: Math.min(cap, even(width * scale)),
    height: Math.min(cap, even(height * scale)),
    fps: outputFps(media),
  };
}
