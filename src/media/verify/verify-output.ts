import { stat } from 'node:fs/promises';
import { MediaError } from '../admission/refusals.js';
import { Mp4Error, type Mp4Facts, readMp4Facts } from './mp4-facts.js';

/**
 * An output is accepted only when it is what every ad platform takes: H.264 yuv420p at the planned
 * size, AAC when the source had sound, the planned duration, no rotation left for the player to do.
 * Read from the file's own moov box (mp4-facts.ts), not by ffprobe: same facts, no process.
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

export async function verifyOutput(file: string, expected: OutputExpectation): Promise<OutputFacts> {
  const sizeBytes = (await stat(file)).size;
  const problems: string[] = [];
  let facts: Mp4Facts = { durationSec: Number.NaN, video: null, audio: null };
  try {
    facts = await readMp4Facts(file);
  } catch (error) {
    if (!(error instanceof Mp4Error)) throw error;
    problems.push(`not a finished MP4: ${error.message}`);
  }
  const { video, audio, durationSec } = facts;
  if (sizeBytes === 0) problems.push('empty file');
  if (video?.codec !== 'h264') problems.push(`video codec ${video?.codec ?? 'missing'}`);
  if (video?.codec === 'h264' && (video.chromaFormat !== 1 || video.bitDepth !== 8)) {
    problems.push(`pixel format: chroma format ${video.chromaFormat}, ${video.bitDepth} bits`);
  }
  if (video?.width !== expected.width || video?.height !== expected.height) {
    problems.push(`size ${video?.width}x${video?.height}, expected ${expected.width}x${expected.height}`);
  }
  if (video?.rotated) problems.push('rotation metadata left');
  if (expected.hasAudio && audio?.codec !== 'aac') problems.push('audio missing');
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
