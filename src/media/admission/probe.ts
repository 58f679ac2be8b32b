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
  /** From the first video packet to the end of the last one, in seconds. */
  durationSec: number;
  /** Video packets in the file (one per frame). */
  frames: number;
}

/**
 * Reads every video packet without decoding (stream copy into the null muxer): how much video is
 * really there, whatever the header claims. Costs file I/O only, with flat memory.
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
  // out_time is where the last packet starts; it lasts about one frame more.
  const lastStart = outcome.outTimeSec ?? 0;
  return { durationSec: frames > 0 ? lastStart + 1 / info.video.fps : 0, frames };
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
