import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Small test clips generated with FFmpeg's lavfi sources and cached in test/.cache, keyed by
 * their spec, so the suite makes each clip once per machine.
 */
export interface ClipSpec {
  width?: number;
  height?: number;
  duration?: number;
  fps?: number;
  /** Video encoding: default H.264 yuv420p. */
  video?: 'h264' | 'hevc10' | 'h264-444' | 'vp9';
  audio?: 'stereo' | 'mono8k' | '5.1' | 'none';
  /** Rotation metadata written into the container (display matrix), pixels unchanged. */
  rotate?: 0 | 90 | 180 | 270;
  /** Variable frame rate: frames at irregular times. */
  vfr?: boolean;
  /** Container extension. */
  ext?: 'mp4' | 'mov' | 'mkv' | 'webm';
  /** lavfi video source; testsrc2 has motion and detail in every corner. */
  source?: string;
  /** Strong moving grain: hard to compress, so the encoder's bit-rate cap is always at work. */
  grain?: boolean;
}

export const CACHE_DIR = path.resolve(import.meta.dirname, '..', '.cache');

function cacheKey(spec: ClipSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 12);
}

export function clipArgs(spec: ClipSpec, outPath: string): string[] {
  const w = spec.width ?? 320;
  const h = spec.height ?? 568;
  const d = spec.duration ?? 2;
  const fps = spec.fps ?? 30;
  const src = spec.source ?? 'testsrc2';
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  args.push('-f', 'lavfi', '-i', `${src}=size=${w}x${h}:rate=${fps}:duration=${d}`);
  const audio = spec.audio ?? 'stereo';
  if (audio !== 'none') {
    const layout = audio === '5.1' ? '5.1' : audio === 'mono8k' ? 'mono' : 'stereo';
    const rate = audio === 'mono8k' ? 8000 : 48000;
    args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${rate}:duration=${d}`);
    args.push('-filter_complex', `[1:a]aformat=channel_layouts=${layout}[a]`, '-map', '0:v', '-map', '[a]');
  }
  if (spec.vfr) args.push('-vf', 'setpts=PTS+0.02*sin(N)/TB', '-fps_mode', 'vfr');
  if (spec.grain) args.push('-vf', 'noise=alls=40:allf=t');
  const video = spec.video ?? 'h264';
  if (video === 'h264') args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (video === 'h264-444') args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p');
  if (video === 'hevc10')
    args.push(
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p10le',
      '-x265-params',
      'log-level=error',
    );
  if (video === 'vp9') args.push('-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8');
  if (audio !== 'none') args.push('-c:a', spec.ext === 'webm' ? 'libopus' : 'aac');
  args.push(outPath);
  return args;
}

/** Path of a cached clip with this spec, generating it on first use. */
export function clip(spec: ClipSpec = {}): string {
  mkdirSync(CACHE_DIR, { recursive: true });
  const ext = spec.ext ?? 'mp4';
  const file = path.join(CACHE_DIR, `clip-${cacheKey(spec)}.${ext}`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.part.${ext}`;
  if (spec.rotate) {
    // FFmpeg 5.1 writes a display matrix only when stream-copying with a rotate tag.
    const unrotated = clip({ ...spec, rotate: 0 });
    const remux = [
      '-v',
      'error',
      '-y',
      '-i',
      unrotated,
      '-c',
      'copy',
      '-metadata:s:v:0',
      `rotate=${spec.rotate}`,
      tmp,
    ];
    execFileSync('ffmpeg', remux, { stdio: ['ignore', 'ignore', 'inherit'] });
  } else {
    execFileSync('ffmpeg', clipArgs(spec, tmp), { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  renameSync(tmp, file);
  return file;
}

/** Writes a file of arbitrary bytes into the cache (text, random data, truncations). */
export function cachedFile(name: string, make: () => Buffer | string): string {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = path.join(CACHE_DIR, name);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.part`;
    writeFileSync(tmp, make());
    renameSync(tmp, file);
  }
  return file;
}

/** A file FFmpeg writes from these arguments (the output path is appended), cached under `name`. */
/** The quickest H.264 players accept, for test files made with ffmpegFile. */
export const QUICK_H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

export function ffmpegFile(name: string, args: string[]): string {
  return cachedFile(name, () => {
    // Same extension as `name`: FFmpeg picks the container from it.
    const out = path.join(CACHE_DIR, `gen-${process.pid}-${name}`);
    try {
      execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
      return readFileSync(out);
    } finally {
      rmSync(out, { force: true });
    }
  });
}

/** The shared real-world corpus sits beside the repository (../shared/corpus). */
export const CORPUS_DIR =
  process.env.VIDVAR_CORPUS ?? path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');
