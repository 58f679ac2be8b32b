import { stat } from 'node:fs/promises';
import { MediaError } from './errors.js';
import type { EngineOptions } from './options.js';
import { runFfprobe } from './runner.js';

/**
 * An output is accepted only when it is what every ad platform takes: H.264 yuv420p at the planned
 * size, AAC when the source had sound, the planned duration, no rotation left for the player to do.
 */
export interface OutputExpectation {
  durationSec: number;
  width: number;
  height: number;
  hasAudio: boolean;
}

export interface OutputFacts {
  sizeBytes: number;
  durationSec: number;
  width: number;
  height: number;
}

interface ProbedStream {
  codec_type?: string;
  codec_name?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  side_data_list?: Array<{ rotation?: number }>;
}

export async function verifyOutput(
  file: string,
  expected: OutputExpectation,
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<OutputFacts> {
  const sizeBytes = (await stat(file)).size;
  const json = await runFfprobe(
    ['-v', 'error', '-f', 'mp4', '-show_format', '-show_streams', '-of', 'json', file],
    options,
    signal,
  );
  const probed = JSON.parse(json) as { format?: { duration?: string }; streams?: ProbedStream[] };
  const streams = probed.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  const durationSec = Number(probed.format?.duration ?? Number.NaN);
  const problems: string[] = [];
  if (sizeBytes === 0) problems.push('empty file');
  if (video?.codec_name !== 'h264') problems.push(`video codec ${video?.codec_name ?? 'missing'}`);
  if (video?.pix_fmt !== 'yuv420p') problems.push(`pixel format ${video?.pix_fmt ?? 'missing'}`);
  if (video?.width !== expected.width || video?.height !== expected.height) {
    problems.push(`size ${video?.width}x${video?.height}, expected ${expected.width}x${expected.height}`);
  }
  if (video?.side_data_list?.some((d) => (d.rotation ?? 0) !== 0)) problems.push('rotation metadata left');
  if (expected.hasAudio && audio?.codec_name !== 'aac') problems.push('audio missing');
  if (!expected.hasAudio && audio) problems.push('unexpected audio');
  const tolerance = Math.max(0.2, expected.durationSec * 0.05);
  if (!Number.isFinite(durationSec) || Math.abs(durationSec - expected.durationSec) > tolerance) {
    problems.push(`duration ${durationSec}s, expected ${expected.durationSec.toFixed(2)}s`);
  }
  if (problems.length > 0) {
    throw new MediaError(
      'invalid_output',
      `The rendered variation failed its checks (${problems.join('; ')}).`,
      500,
    );
  }
  return { sizeBytes, durationSec, width: expected.width, height: expected.height };
}
