import { type MediaInfo, outputGeometry, videoRateCap } from '../media/index.js';

/**
 * Disk a job will need before it is accepted, so a batch is refused up front rather than failing
 * half-way with a full disk. Deliberately on the high side: refusing a batch that would have fit is a
 * message, running out of disk mid-batch is lost work.
 */

/** Below this a source's bit rate says little: tiny sources still get a reasonable output estimate. */
const MIN_VIDEO_BPS = 500_000;
/** The highest audio bit rate the planner picks. */
const AUDIO_BPS = 160_000;
/** Effects such as temporal noise raise the bit rate above the source's; retiming lengthens by up to ~15%. */
const BITRATE_HEADROOM = 1.5;
const DURATION_HEADROOM = 1.15;
const THUMBNAIL_BYTES = 100 * 1024;
/** Container overhead, scratch files beside a render in work/, the SQLite rows. */
const MARGIN = 1.1;
const UPLOAD_OVERHEAD_BYTES = 1024 * 1024;

function sourceBitrate(media: MediaInfo): number {
  if (media.bitRate && media.bitRate > 0) return media.bitRate;
  return media.durationSec > 0 ? (media.sizeBytes * 8) / media.durationSec : Number.POSITIVE_INFINITY;
}

/** Bytes of one output of this source: its bit rate with headroom, never above the encoder's VBV cap. */
export function estimateOutputBytes(media: MediaInfo, maxLongSide: number): number {
  const { width, height, fps } = outputGeometry(media, maxLongSide);
  const cap = videoRateCap(width, height, fps).maxrateK * 1000;
  const video = Math.min(cap, Math.max(MIN_VIDEO_BPS, sourceBitrate(media) * BITRATE_HEADROOM));
  const audio = media.audio ? AUDIO_BPS : 0;
  return ((video + audio) / 8) * media.durationSec * DURATION_HEADROOM + THUMBNAIL_BYTES;
}

/** All outputs of a job: the sources are already on disk, and a render in work/ is renamed, not copied. */
export function estimateJobBytes(sources: MediaInfo[], count: number, maxLongSide: number): number {
  const outputs = sources.reduce((sum, media) => sum + estimateOutputBytes(media, maxLongSide) * count, 0);
  return Math.ceil(outputs * MARGIN);
}

/** What the queue has promised to render: every pending output of every unfinished job. */
export function estimatePendingBytes(
  work: Array<{ media: MediaInfo; outputs: number }>,
  maxLongSide: number,
): number {
  const outputs = work.reduce((sum, w) => sum + estimateOutputBytes(w.media, maxLongSide) * w.outputs, 0);
  return Math.ceil(outputs * MARGIN);
}

/** An upload needs its own size plus the resumable-upload metadata written beside it. */
export function estimateUploadBytes(sizeBytes: number): number {
  return sizeBytes + UPLOAD_OVERHEAD_BYTES;
}
