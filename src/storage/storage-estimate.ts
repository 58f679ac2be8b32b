import type { MediaInfo } from '../media/types.js';

/**
 * Disk a job will need before it is accepted, so a batch is refused up front rather than failing
 * half-way with a full disk. Deliberately on the high side: refusing a batch that would have fit is a
 * message, running out of disk mid-batch is lost work.
 */

/** Video bit rate the encoder's VBV cap allows at 1920×1080; other sizes scale with their pixel count. */
const MAXRATE_BPS_AT_1080P = 8_000_000;
const PIXELS_1080P = 1920 * 1080;
/** Below this an output is not worth estimating finer: tiny sources still get a reasonable bit rate. */
const MIN_VIDEO_BPS = 500_000;
const AUDIO_BPS = 192_000;
/** Effects such as temporal noise raise the bit rate above the source's; retiming lengthens by up to ~15%. */
const BITRATE_HEADROOM = 1.5;
const DURATION_HEADROOM = 1.15;
const THUMBNAIL_BYTES = 100 * 1024;
/** Container overhead, scratch files beside a render in work/, the SQLite rows. */
const MARGIN = 1.1;
const UPLOAD_OVERHEAD_BYTES = 1024 * 1024;

function outputPixels(media: MediaInfo, maxLongSide: number): number {
  const { width, height } = media.video;
  const scale = Math.min(1, maxLongSide / Math.max(width, height));
  return Math.max(1, Math.round(width * scale) * Math.round(height * scale));
}

function sourceBitrate(media: MediaInfo): number {
  if (media.bitRate && media.bitRate > 0) return media.bitRate;
  return media.durationSec > 0 ? (media.sizeBytes * 8) / media.durationSec : MAXRATE_BPS_AT_1080P;
}

/** Bytes of one output of this source. */
export function estimateOutputBytes(media: MediaInfo, maxLongSide: number): number {
  const cap = Math.max(
    MIN_VIDEO_BPS,
    (MAXRATE_BPS_AT_1080P * outputPixels(media, maxLongSide)) / PIXELS_1080P,
  );
  const video = Math.min(cap, Math.max(MIN_VIDEO_BPS, sourceBitrate(media) * BITRATE_HEADROOM));
  const audio = media.audio ? AUDIO_BPS : 0;
  return ((video + audio) / 8) * media.durationSec * DURATION_HEADROOM + THUMBNAIL_BYTES;
}

/** All outputs of a job: the sources are already on disk, and a render in work/ is renamed, not copied. */
export function estimateJobBytes(sources: MediaInfo[], count: number, maxLongSide: number): number {
  const outputs = sources.reduce((sum, media) => sum + estimateOutputBytes(media, maxLongSide) * count, 0);
  return Math.ceil(outputs * MARGIN);
}

/** An upload needs its own size plus the resumable-upload metadata written beside it. */
export function estimateUploadBytes(sizeBytes: number): number {
  return sizeBytes + UPLOAD_OVERHEAD_BYTES;
}
