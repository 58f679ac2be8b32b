import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DEMUXER_WHITELIST, demuxerFor, inputArgs, refusedKind } from '../ffmpeg/demuxers.js';
import { FfmpegError } from '../ffmpeg/ffmpeg-error.js';
import { runFfmpeg, runFfprobe } from '../ffmpeg/runner.js';
import type { EngineOptions } from '../options.js';
import type { MediaInfo } from '../types.js';
import { mediaInfoFromProbe } from './probe-mapping.js';
import { type MediaError, refuse } from './refusals.js';

/**
 * What a source file is, from ffprobe. Only allow-listed demuxers may open it and only through the
 * file protocol: FFmpeg checks the detected format against the list before the demuxer reads a
 * single header, so a playlist is refused without FFmpeg opening what it points to.
 * Refusals are MediaErrors naming the file by its base name (admission re-words them).
 */
export async function probeMedia(
  file: string,
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<MediaInfo> {
  const name = path.basename(file);
  const { size } = await stat(file);
  const args = ['-v', 'error', '-protocol_whitelist', 'file', '-format_whitelist', DEMUXER_WHITELIST];
  args.push('-show_format', '-show_streams', '-of', 'json', '-i', `file:${file}`);
  let json: { format?: { format_name?: unknown } };
  try {
    json = JSON.parse(await runFfprobe(args, options, signal));
  } catch (error) {
    throw refusalForProbeFailure(error, name);
  }
  const formatName = json.format?.format_name;
  const demuxer = typeof formatName === 'string' ? demuxerFor(formatName) : null;
  if (!demuxer) throw refuse('unsupported_format', name);
  const info = mediaInfoFromProbe(json, { demuxer, sizeBytes: size, name });
  if (info.durationSec > 0) return info;
  // Live recordings (browsers' MediaRecorder) carry no duration: measure where the packets end.
  const extent = await measureVideoExtent(file, info, options, signal).catch((error: unknown) => {
    throw refusalForProbeFailure(error, name);
  });
  return { ...info, durationSec: extent.durationSec };
}

export interface VideoExtent {
  /** From the first picture to the end of the last one, in seconds (see `measureVideoExtent`). */
  durationSec: number;
  /** Video packets in the file (one per frame). */
  frames: number;
}

/**
 * Reads every video packet without decoding (stream copy into the null muxer): how much video is
 * really there, whatever the header claims. Costs file I/O only, with flat memory.
 *
 * FFmpeg reports where the last packet in decoding order starts. With B-frames that packet is not the
 * last picture, which is shown `reorderFrames` frames later: without them a 3.000 s HEVC clip measured
 * 2.933 s, and every output of it lost two frames. (Headers are no better: Matroska's duration ends
 * where the last frame starts, and a file's duration may be its sound's.)
 */
export async function measureVideoExtent(
  file: string,
  info: MediaInfo,
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<VideoExtent> {
  const args = [
    ...inputArgs(file, info.demuxer),
    '-map',
    `0:${info.video.index}`,
    '-c',
    'copy',
    '-f',
    'null',
    '-',
  ];
  const outcome = await runFfmpeg({ args, durationSec: info.durationSec, options, signal });
  const frames = outcome.frames ?? 0;
  if (frames === 0) return { durationSec: 0, frames };
  const frame = 1 / info.video.fps;
  // Where the last packet in decoding order starts (FFmpeg's out_time, from the file's start).
  const lastPacketEnd = (outcome.outTimeSec ?? 0) + frame;
  const fromTail = await lastPictureEnd(file, info, lastPacketEnd - TAIL_SEC, options, signal);
  return {
    durationSec: fromTail ?? lastPacketEnd + (info.video.reorderFrames ?? 0) * frame,
    frames,
  };
}

/** Seconds of packets read before the end: more than any reordering, a few keyframe intervals. */
const TAIL_SEC = 4;

/**
 * Where the last picture ends, from the file's start: the latest packet time plus its duration, over
 * the packets of the last seconds. Null when ffprobe cannot say (then the reordering estimate stands).
 */
async function lastPictureEnd(
  file: string,
  info: MediaInfo,
  fromSec: number,
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<number | null> {
  const args = ['-v', 'error', '-select_streams', String(info.video.index)];
  if (fromSec > 0) args.push('-read_intervals', `${fromSec.toFixed(3)}%`);
  args.push('-show_entries', 'format=start_time:packet=pts_time,duration_time', '-of', 'default=nw=1');
  args.push(...inputArgs(file, info.demuxer));
  let text: string;
  try {
    text = await runFfprobe(args, options, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    return null;
  }
  return pictureEnd(text, info.video.fps);
}

/** `pts_time=…`/`duration_time=…` lines and the format's start_time → end of the last picture, or null. */
function pictureEnd(text: string, fps: number): number | null {
  const start = Number(/^start_time=(-?[\d.]+)$/m.exec(text)?.[1]);
  let end = Number.NEGATIVE_INFINITY;
  for (const [, pts, duration] of text.matchAll(/^pts_time=(-?[\d.]+)\s+duration_time=([\d.]+|N\/A)$/gm)) {
    // Some muxers write no packet durations, or 1 ms ones (FLV): then a picture lasts 1/fps.
    const lasts = Number(duration);
    end = Math.max(end, Number(pts) + (Number.isFinite(lasts) && lasts > 0.5 / fps ? lasts : 1 / fps));
  }
  return Number.isFinite(start) && Number.isFinite(end) && end > start ? end - start : null;
}

/** Turns ffprobe's failure into the refusal a user can act on; cancellations stay cancellations. */
export function refusalForProbeFailure(error: unknown, name: string): unknown {
  if (error instanceof SyntaxError) return refuse('corrupt', name, {}, error);
  if (!(error instanceof FfmpegError) || error.code === 'ffmpeg_aborted') return error;
  return refusalFromMessages(error.stderrTail, name, error);
}

function refusalFromMessages(stderr: string, name: string, cause: unknown): MediaError {
  const notAllowed = /\[([^\]\s@]+) @ 0x[0-9a-f]+\] Format not on whitelist/.exec(stderr);
  if (notAllowed) {
    const kind = refusedKind(notAllowed[1] as string);
    if (kind === 'playlist') return refuse('playlist_refused', name, {}, cause);
    if (kind === 'image') return refuse('still_image', name, {}, cause);
    if (kind === 'audio') return refuse('audio_only', name, {}, cause);
    return refuse('unsupported_format', name, {}, cause);
  }
  if (/moov atom not found|partial file|ended prematurely|end of file/i.test(stderr)) {
    return refuse('truncated', name, {}, cause);
  }
  if (/encrypt|decrypt/i.test(stderr)) return refuse('encrypted', name, {}, cause);
  // Some allowed demuxer recognised the file and then failed to read it: damaged, not foreign.
  const recognised = /\[([^\]\s@]+) @ 0x[0-9a-f]+\]/g;
  for (const match of stderr.matchAll(recognised)) {
    if (demuxerFor(match[1] as string)) return refuse('corrupt', name, {}, cause);
  }
  if (/Invalid data found when processing input/.test(stderr)) return refuse('not_a_video', name, {}, cause);
  return refuse('corrupt', name, {}, cause);
}
