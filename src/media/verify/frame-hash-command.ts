import { inputArgs } from '../ffmpeg/demuxers.js';
import type { PixelFormat } from './jarosz.js';

/**
 * The FFmpeg side of hashing a video's frames: decode (rotation applied, as FFmpeg does by
 * default), keep `fps` frames a second, shrink each to fit `maxSide` with its shape kept, and write
 * them as raw pixels. PDQ squeezes any picture to 64×64 anyway, and the reference tools shrink
 * pictures to fit 512 px before hashing them. Against hashes of the full-size frames, the 512-px
 * hash of a frame is 6–10 bits away (median over the reference clips) and a 256-px one 16–30 (too
 * far: a clip then no longer fully matches itself); the 512-px hash of a 1080×1920 frame costs a
 * tenth of the full-size one.
 */
export const HASH_FRAME_MAX_SIDE = 512;

export interface FrameHashCommand {
  /** The admitted source and its forced demuxer. */
  file: string;
  demuxer: string;
  /** Stream index of the video to hash. */
  streamIndex: number;
  /** Displayed size (rotation and sample aspect applied). */
  width: number;
  height: number;
  /** Frames a second to hash; null hashes every decoded frame. */
  fps: number | null;
  maxSide: number;
  format: PixelFormat;
  /** Where the raw frames go: an FFmpeg output URL. */
  target: string;
}

/** The size frames arrive in: the displayed size scaled down (never up) to fit maxSide. */
export function hashFrameSize(
  width: number,
  height: number,
  maxSide: number,
): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export function frameHashArgs(cmd: FrameHashCommand): string[] {
  const size = hashFrameSize(cmd.width, cmd.height, cmd.maxSide);
  const filters: string[] = [];
  if (cmd.fps !== null) filters.push(`fps=${cmd.fps}`);
  // Area averaging is what a downscale to a fraction of the size wants; an exact size, because the
  // reader counts bytes to find where a frame ends.
  filters.push(`scale=${size.width}:${size.height}:flags=area`, `format=${cmd.format}`);
  return [
    ...inputArgs(cmd.file, cmd.demuxer),
    '-map',
    `0:${cmd.streamIndex}`,
    '-vf',
    filters.join(','),
    // One raw frame out per frame the filters give, never duplicated or dropped to a constant rate.
    '-fps_mode',
    'passthrough',
    '-f',
    'rawvideo',
    cmd.target,
  ];
}

/**
 * Frames a second a render hashes of each variation. Each output is compared as the sampled side (at
 * 4 a second) against the source at every frame, and against its siblings at this rate: dense enough
 * that a sampled frame is never more than 1/30 s from one of the sibling's (both sides at 4 a second
 * lose retimed copies, see video-hashes.ts), at half the cost of every frame of a 30 fps output.
 * Measured on sibling pairs, share of every frame of both → this: 21.4 → 18.9 % on phone footage,
 * 77.6 → 43.8 % on fast synthetic motion (both at 4 a second: 4.5 % and 0). Every frame would cost
 * more than the 5 % of a render's CPU that hashing may take (see the README).
 */
export const VARIATION_HASH_FPS = 15;

/**
 * A hash branch inside a render: the frames it gets (already upright, 4:2:0 from the render's head),
 * at `fps` a second or all of them, reduced to their luma plane and shrunk as frameHashArgs shrinks
 * them, for a frame sink to hash. Taking the plane as coded and leaving the range stretch to the
 * hasher (on 64×64 values, after its filter) costs 0.8–0.9 ms a 1080×1920 frame, against 1.4–1.7 ms
 * for scale+`format=gray` (swscale's range conversion) and 4.0 ms for `format=gray` first. PDQ's bits
 * ignore a luma stretch (its DCT skips the mean, its threshold is a median); its quality is rescaled.
 */
export function hashBranchFilters(width: number, height: number, fps: number | null): string[] {
  const size = hashFrameSize(width, height, HASH_FRAME_MAX_SIDE);
  return [
    ...(fps === null ? [] : [`fps=${fps}`]),
    // A no-op on the render's 4:2:0 frames; it keeps the plane 8-bit whatever comes.
    'format=yuv420p',
    'extractplanes=y',
    `scale=${size.width}:${size.height}:flags=area`,
  ];
}

/** Output options that send a hash branch's frames, one raw frame per frame, to `target`. */
export function hashOutputArgs(label: string, target: string, durationSec?: number): string[] {
  const limit = durationSec === undefined ? [] : ['-t', String(durationSec)];
  return ['-map', label, ...limit, '-fps_mode', 'passthrough', '-f', 'rawvideo', target];
}
