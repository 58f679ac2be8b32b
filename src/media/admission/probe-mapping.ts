import type { AudioStreamInfo, HdrColour, MediaInfo, Rotation, VideoStreamInfo } from '../types.js';
import { refuse } from './refusals.js';

/**
 * ffprobe's JSON (`-show_format -show_streams`) → MediaInfo. Pure: everything FFmpeg-version
 * specific about reading the JSON lives here and is unit-tested on literal JSON.
 */
export const MAX_STREAMS = 32;
/** Frame rates above this are timestamp-resolution artefacts (FLV and MKV report 1000/1). */
const MAX_SANE_FPS = 240;
const FALLBACK_FPS = 30;
/** H.264 and HEVC reorder at most 16 frames; a larger has_b_frames is not to be believed. */
const MAX_REORDER_FRAMES = 16;

type Json = Record<string, unknown>;

export interface ProbedFile {
  /** The allow-listed demuxer the file was opened with. */
  demuxer: string;
  sizeBytes: number;
  /** How refusals name the file (the caller re-words them with the user's file name). */
  name?: string;
}

export function mediaInfoFromProbe(json: unknown, file: ProbedFile): MediaInfo {
  const name = file.name ?? 'This file';
  const root = asObject(json);
  const format = asObject(root.format);
  const streams = (Array.isArray(root.streams) ? root.streams : []).map(asObject);
  if (streams.length > MAX_STREAMS) {
    throw refuse('too_many_streams', name, { streams: streams.length, maxStreams: MAX_STREAMS });
  }
  if (streams.some(isEncrypted)) throw refuse('encrypted', name);
  // Cover art is a one-picture "video" stream; data and subtitle streams are not pictures at all.
  const videos = streams.filter((s) => s.codec_type === 'video' && flag(s, 'attached_pic') !== 1);
  const video = videos.find((s) => flag(s, 'default') === 1) ?? videos[0];
  if (!video) {
    throw refuse(streams.some((s) => s.codec_type === 'audio') ? 'audio_only' : 'no_video_stream', name);
  }
  const videoInfo = videoStreamInfo(video);
  if (!videoInfo) throw refuse('corrupt', name);
  const durationSec =
    positive(num(format.duration)) ?? positive(num(video.duration)) ?? maxStreamDuration(streams) ?? 0;
  return {
    demuxer: file.demuxer,
    formatName: str(format.format_name) ?? file.demuxer,
    durationSec,
    sizeBytes: file.sizeBytes,
    bitRate: positive(num(format.bit_rate)) ?? null,
    video: videoInfo,
    audio: audioStreamInfo(streams),
  };
}

function videoStreamInfo(s: Json): VideoStreamInfo | null {
  const codedWidth = positive(num(s.width));
  const codedHeight = positive(num(s.height));
  const index = num(s.index);
  if (codedWidth === undefined || codedHeight === undefined || index === undefined) return null;
  const rotation = rotationOf(s);
  const sar = ratio(s.sample_aspect_ratio, ':');
  // Non-square pixels: a player stretches the width, so that is what the viewer sees.
  const stretched = sar !== undefined && sar !== 1 ? Math.round(codedWidth * sar) : codedWidth;
  const turned = rotation === 90 || rotation === 270;
  return {
    index,
    codec: str(s.codec_name) ?? 'unknown',
    profile: str(s.profile) ?? null,
    pixFmt: str(s.pix_fmt) ?? 'unknown',
    codedWidth,
    codedHeight,
    width: turned ? codedHeight : stretched,
    height: turned ? stretched : codedHeight,
    rotation,
    fps: frameRate(s),
    frameCount: positive(num(s.nb_frames)) ?? null,
    reorderFrames: Math.min(MAX_REORDER_FRAMES, Math.max(0, Math.floor(num(s.has_b_frames) ?? 0))),
    ...hdrColour(s),
  };
}

/** PQ (HDR10) and HLG pictures; untagged primaries and matrix of such a stream are BT.2020's. */
function hdrColour(s: Json): { hdr?: HdrColour } {
  const transfer = str(s.color_transfer);
  if (transfer !== 'smpte2084' && transfer !== 'arib-std-b67') return {};
  const known = (v: string | undefined) => (v && v !== 'unknown' && v !== 'reserved' ? v : undefined);
  return {
    hdr: {
      transfer,
      primaries: known(str(s.color_primaries)) ?? 'bt2020',
      matrix: known(str(s.color_space)) ?? 'bt2020nc',
    },
  };
}

function audioStreamInfo(streams: Json[]): AudioStreamInfo | null {
  // A track whose codec FFmpeg could not identify (no sample description) is no sound to keep.
  const usable = streams.filter(
    (s) =>
      s.codec_type === 'audio' &&
      str(s.codec_name) &&
      positive(num(s.channels)) &&
      positive(num(s.sample_rate)),
  );
  const audio = usable.find((s) => flag(s, 'default') === 1) ?? usable[0];
  if (!audio) return null;
  return {
    index: num(audio.index) as number,
    codec: str(audio.codec_name) as string,
    channels: num(audio.channels) as number,
    sampleRate: num(audio.sample_rate) as number,
  };
}

/** Clockwise degrees a player turns the picture. FFmpeg's display matrix angle is counter-clockwise. */
function rotationOf(s: Json): Rotation {
  const sideData = Array.isArray(s.side_data_list) ? s.side_data_list.map(asObject) : [];
  const matrix = sideData.find((d) => d.side_data_type === 'Display Matrix' && num(d.rotation) !== undefined);
  const counterClockwise = num(matrix?.rotation);
  const tagged = num(asObject(s.tags).rotate);
  const degrees = counterClockwise !== undefined ? -counterClockwise : (tagged ?? 0);
  return ((((Math.round(degrees / 90) * 90) % 360) + 360) % 360) as Rotation;
}

/** Average frame rate (right for variable frame rate), else the stream's base rate, else frames/duration. */
function frameRate(s: Json): number {
  const sane = (fps: number | undefined) =>
    fps !== undefined && fps > 0 && fps <= MAX_SANE_FPS ? fps : undefined;
  const frames = positive(num(s.nb_frames));
  const duration = positive(num(s.duration));
  const counted = frames && duration ? frames / duration : undefined;
  const fps =
    sane(ratio(s.avg_frame_rate, '/')) ?? sane(ratio(s.r_frame_rate, '/')) ?? sane(counted) ?? FALLBACK_FPS;
  return Math.round(fps * 1000) / 1000;
}

function isEncrypted(s: Json): boolean {
  const tag = str(s.codec_tag_string);
  if (tag && ['encv', 'enca', 'drmi', 'drms'].includes(tag)) return true;
  if (asObject(s.tags).enc_key_id !== undefined) return true;
  const sideData = Array.isArray(s.side_data_list) ? s.side_data_list.map(asObject) : [];
  return sideData.some((d) => /encryption/i.test(str(d.side_data_type) ?? ''));
}

function maxStreamDuration(streams: Json[]): number | undefined {
  const durations = streams.map((s) => positive(num(s.duration))).filter((d) => d !== undefined);
  return durations.length > 0 ? Math.max(...durations) : undefined;
}

function flag(s: Json, name: string): number | undefined {
  return num(asObject(s.disposition)[name]);
}

function ratio(value: unknown, separator: string): number | undefined {
  const text = str(value);
  if (!text) return undefined;
  const [a, b] = text.split(separator).map(Number);
  if (a === undefined || b === undefined || !(a > 0) || !(b > 0)) return undefined;
  return a / b;
}

function asObject(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** ffprobe prints most numbers as strings ("30.08", "N/A"); some as numbers. */
function num(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}
