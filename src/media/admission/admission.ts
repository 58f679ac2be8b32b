import { open } from 'node:fs/promises';
import { inputArgs, SNIFF_BYTES, sniffHead } from '../ffmpeg/demuxers.js';
import { FfmpegError } from '../ffmpeg/ffmpeg-error.js';
import { runFfmpeg } from '../ffmpeg/runner.js';
import type { EngineOptions } from '../options.js';
import type { MediaInfo } from '../types.js';
import { measureVideoExtent, probeMedia, refusalForProbeFailure } from './probe.js';
import { isRefusal, refuse } from './refusals.js';

/** A file whose video ends before this fraction of what its header claims was cut off… */
const TRUNCATED_BELOW = 0.5;
/** …by at least this much (short clips round their durations generously). */
const TRUNCATED_MIN_GAP_SEC = 1;
/** Phone slow-motion records 240 frames a second; past 480 it is not footage an ad is made from. */
const MAX_FRAMES_PER_SEC = 480;
/** How much video is decoded at each end to prove the file plays. */
const DECODE_WINDOW_SEC = 1;

/**
 * Decides whether a file may become variations, cheapest checks first: the first bytes (no process
 * at all for text and playlists), ffprobe under the allow-list, the limits, one pass over the video
 * packets without decoding (is everything the header claims really there?), and finally decoding
 * the start and the keyframes near the end. Refusals are MediaErrors naming the file displayName.
 * Never writes a file and never deletes the input: a refused file is the caller's to delete.
 */
export async function admitMedia(
  file: string,
  displayName: string,
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<MediaInfo> {
  try {
    return await admit(file, displayName, options, signal);
  } catch (error) {
    if (isRefusal(error)) throw error.forFile(displayName);
    throw error;
  }
}

async function admit(
  file: string,
  name: string,
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<MediaInfo> {
  const head = await readHead(file);
  if (head.length === 0) throw refuse('empty_file', name);
  const sniffed = sniffHead(head);
  if (sniffed === 'playlist') throw refuse('playlist_refused', name);
  if (sniffed === 'text') throw refuse('not_a_video', name);

  const info = await probeMedia(file, options, signal);
  const { width, height, codedWidth, codedHeight } = info.video;
  if (Math.max(width, height, codedWidth, codedHeight) > options.maxFrameSide) {
    throw refuse('frame_too_large', name, { width, height, maxSide: options.maxFrameSide });
  }
  if (info.durationSec > options.maxDurationSec) {
    throw refuse('too_long', name, { durationSec: info.durationSec, limitSec: options.maxDurationSec });
  }

  const extent = await measureVideoExtent(file, info, options, signal).catch((error: unknown) => {
    throw refusalForProbeFailure(error, name);
  });
  if (extent.frames === 0) throw refuse('corrupt', name);
  if (extent.frames === 1) throw refuse('still_image', name);
  // Thousands of tiny frames per second would cost CPU out of all proportion to the clip's length.
  const framesPerSec = extent.frames / Math.max(extent.durationSec, 1 / MAX_FRAMES_PER_SEC);
  if (framesPerSec > MAX_FRAMES_PER_SEC) {
    throw refuse('too_many_frames', name, { framesPerSec, maxFramesPerSec: MAX_FRAMES_PER_SEC });
  }
  const claimed = claimedVideoDuration(info);
  if (
    extent.durationSec < claimed * TRUNCATED_BELOW &&
    claimed - extent.durationSec > TRUNCATED_MIN_GAP_SEC
  ) {
    throw refuse('truncated', name);
  }
  // The packets are what FFmpeg will render: a header (or a longer subtitle track) can claim more.
  const durationSec = extent.durationSec;
  if (durationSec > options.maxDurationSec) {
    throw refuse('too_long', name, { durationSec, limitSec: options.maxDurationSec });
  }
  // Half a frame of slack: a "0.3 s" phone clip measures 0.2997 s of packets.
  if (durationSec + 0.5 / info.video.fps < options.minDurationSec) {
    throw refuse('too_short', name, { durationSec, limitSec: options.minDurationSec });
  }

  await proveDecodable(file, info, extent.durationSec, options, signal).catch((error: unknown) => {
    if (error instanceof FfmpegError && error.code !== 'ffmpeg_aborted')
      throw refuse('corrupt', name, {}, error);
    throw error;
  });
  return { ...info, durationSec };
}

/** What the header says the video lasts: its own frame count when known, else the file's duration. */
function claimedVideoDuration(info: MediaInfo): number {
  const { frameCount, fps } = info.video;
  if (frameCount !== null && frameCount > 1) return Math.min(info.durationSec, frameCount / fps);
  return info.durationSec;
}

/**
 * Decodes the first second of video with `-xerror` (stop at the first decoding error); it must
 * yield a picture. Then the keyframes of the last seconds: only keyframes, because a seek in a file
 * without an index (browser WebM) may land between keyframes, where inter frames cannot decode
 * although nothing is damaged. A short file is decoded whole.
 */
async function proveDecodable(
  file: string,
  info: MediaInfo,
  videoSec: number,
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<void> {
  const decode = async (window: string[]) => {
    const args = ['-xerror', '-threads', String(options.threads), ...window];
    args.push(...inputArgs(file, info.demuxer), '-map', `0:${info.video.index}`, '-f', 'null', '-');
    return runFfmpeg({ args, durationSec: 0, options, signal });
  };
  const whole = videoSec <= 2 * DECODE_WINDOW_SEC;
  const start = await decode(whole ? [] : ['-t', String(DECODE_WINDOW_SEC)]);
  if (!start.frames) throw new FfmpegError('ffmpeg_failed', 'no picture decoded', start.stderrTail);
  if (!whole) await decode(['-skip_frame', 'nokey', '-ss', (videoSec - 2 * DECODE_WINDOW_SEC).toFixed(3)]);
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
