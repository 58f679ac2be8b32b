import { probeMedia } from '../admission/probe.js';
import { runFfmpeg } from '../ffmpeg/runner.js';
import type { EngineOptions } from '../options.js';
import type { MediaInfo } from '../types.js';
import { frameHashArgs, HASH_FRAME_MAX_SIDE, hashFrameSize } from './frame-hash-command.js';
import { openFrameSink } from './frame-sink.js';
import type { PixelFormat } from './jarosz.js';
import type { FrameHash } from './vpdq-hash-file.js';

/**
 * PDQ hashes of a video file's frames, computed as FFmpeg decodes it. The runner keeps stdout for
 * `-progress`, so the raw frames come over a Unix socket (frame-sink.ts).
 *
 * Gray frames by default: FFmpeg's luma gave the same hashes as PDQ's luma from RGB on the
 * reference clips (median 0 bits apart), for a third of the bytes and less work on both sides.
 *
 * Frame rate — measured on the seven reference clips, every verdict of the README's table:
 * - both videos sampled at the same rate lose retimed copies: chair-19 against chair-22-sepia (the
 *   same footage, shorter) is a match at every frame (100 % / 83.95 %) but distinct at 4 fps
 *   (56 / 46.7), 2 fps (21 / 15.6) and 1 fps (10.5 / 9.1): sampled frames of one fall between
 *   those of the other, and moving footage changes by more than 31 bits in a fraction of a second.
 * - one video at every frame and the other sampled keeps the verdicts: the sampled side's share is
 *   then an estimate of its every-frame share (4 fps: 84.4 % for 83.95; 1 fps: 81.8 %, too close to
 *   80 to trust). The densely hashed side's share is biased low and must not decide.
 * So hash one side (the source, once per batch) at every frame and the other (each variation) at
 * 4 a second, and decide on the sampled side's share: see compareVideos in vpdq.ts.
 */
export const DEFAULT_HASH_FPS = 4;

export interface HashVideoRequest {
  file: string;
  options: EngineOptions;
  /** A folder for the short-lived socket (its path must stay under ~100 characters). */
  socketDir: string;
  /** Frames a second; null hashes every frame. */
  fps?: number | null;
  maxSide?: number;
  format?: PixelFormat;
  signal?: AbortSignal;
  /** What admission found: spares a second probe of a file just admitted. */
  info?: MediaInfo;
}

export async function hashVideoFrames(req: HashVideoRequest): Promise<FrameHash[]> {
  const fps = req.fps === undefined ? DEFAULT_HASH_FPS : req.fps;
  const format = req.format ?? 'gray';
  const maxSide = req.maxSide ?? HASH_FRAME_MAX_SIDE;
  const info = req.info ?? (await probeMedia(req.file, req.options, req.signal));
  const { width, height } = hashFrameSize(info.video.width, info.video.height, maxSide);
  const rate = fps ?? (info.video.fps > 0 ? info.video.fps : 1);

  const sink = await openFrameSink({ socketDir: req.socketDir, width, height, format, rate });
  try {
    const args = frameHashArgs({
      file: req.file,
      demuxer: info.demuxer,
      streamIndex: info.video.index,
      width: info.video.width,
      height: info.video.height,
      fps,
      maxSide,
      format,
      target: sink.target,
    });
    await runFfmpeg({ args, durationSec: info.durationSec, options: req.options, signal: req.signal });
    return await sink.hashes();
  } finally {
    await sink.close();
  }
}
