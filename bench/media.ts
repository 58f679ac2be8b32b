import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Look, SourceSpec } from './workload.js';

/**
 * Generated benchmark media, cached in bench/.cache by a hash of the exact FFmpeg arguments: a
 * changed recipe makes a new file, an unchanged one is made once per machine.
 */

export const BENCH_CACHE = path.resolve(import.meta.dirname, '.cache');
const MEDIA_DIR = path.join(BENCH_CACHE, 'media');

/**
 * Moving, textured pictures with soft gradients and grain. testsrc2's sharp synthetic graphics make
 * encoders spend far more bits than phone footage does; these land at 7-15 Mb/s at 1080×1920, like exported ads.
 */
function videoGraph(look: Look, w: number, h: number, fps: number): { inputs: string[]; graph: string } {
  const grain = 'noise=alls=4:allf=t,format=yuv420p';
  if (look === 'fractal') {
    return { inputs: [`mandelbrot=s=${w}x${h}:r=${fps}`], graph: `[0:v]${grain}[v]` };
  }
  const lw = Math.round(w / 8);
  const lh = Math.round(h / 8);
  if (look === 'life') {
    return {
      inputs: [
        `gradients=s=${w}x${h}:r=${fps}:speed=0.03:n=5:seed=7`,
        `life=s=${lw}x${lh}:r=${fps}:mold=20:ratio=0.15:seed=3:life_color=#ffd060:death_color=#602040:mold_color=#204080`,
      ],
      graph: `[1:v]scale=${w}:${h}:flags=bicubic,gblur=sigma=6[l];[0:v][l]blend=all_mode=overlay,${grain}[v]`,
    };
  }
  return {
    inputs: [
      `gradients=s=${w}x${h}:r=${fps}:speed=0.05:n=3:seed=11:c0=0x103050:c1=0xe0a040:c2=0x40a0a0`,
      `cellauto=s=${Math.round(w / 4)}x${Math.round(h / 4)}:r=${fps}:rule=30:seed=5`,
    ],
    graph: `[1:v]scale=${w}:${h}:flags=bilinear,gblur=sigma=3[c];[0:v][c]blend=all_mode=softlight,${grain}[v]`,
  };
}

/** FFmpeg arguments that render a source of this spec (H.264 yuv420p + AAC stereo, MP4) to outPath. */
export function sourceArgs(spec: SourceSpec, outPath: string): string[] {
  const { inputs, graph } = videoGraph(spec.look, spec.width, spec.height, spec.fps);
  const audioIndex = inputs.length;
  const d = spec.durationSec;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  for (const input of inputs) args.push('-f', 'lavfi', '-t', String(d), '-i', input);
  args.push('-f', 'lavfi', '-t', String(d), '-i', 'anoisesrc=color=pink:amplitude=0.05:sample_rate=48000');
  args.push('-f', 'lavfi', '-t', String(d), '-i', 'sine=frequency=220:sample_rate=48000');
  args.push(
    '-filter_complex',
    `${graph};[${audioIndex}:a][${audioIndex + 1}:a]amix=inputs=2,aformat=channel_layouts=stereo[a]`,
  );
  args.push('-map', '[v]', '-map', '[a]', '-t', String(d));
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '21', '-pix_fmt', 'yuv420p');
  args.push('-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', outPath);
  return args;
}

export function runFfmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${stderr.trim()}`)),
    );
  });
}

async function cached(name: string, recipe: string[], make: (tmp: string) => Promise<void>): Promise<string> {
  await mkdir(MEDIA_DIR, { recursive: true });
  const key = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 10);
  const file = path.join(MEDIA_DIR, `${name}-${key}.mp4`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.part.mp4`;
  try {
    await make(tmp);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
  return file;
}

export function ensureSource(spec: SourceSpec): Promise<string> {
  const recipe = sourceArgs(spec, 'OUT');
  return cached(spec.name, recipe, (tmp) => runFfmpeg(sourceArgs(spec, tmp)));
}

/**
 * A real, admissible video of at least minBytes made cheaply: 4 s of grainy 1080×1920 at ~29 Mb/s,
 * repeated by stream copy (no re-encode) until it is large enough.
 */
export async function ensureLargeVideo(minBytes: number): Promise<string> {
  const baseArgs = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=s=1080x1920:r=30:d=4', '-f', 'lavfi', '-i', 'sine=f=330:d=4'],
    ...['-vf', 'noise=alls=5:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '21'],
    ...['-pix_fmt', 'yuv420p', '-c:a', 'aac'],
  ];
  const base = await cached('large-base', baseArgs, (tmp) => runFfmpeg([...baseArgs, tmp]));
  const copies = Math.max(1, Math.ceil(minBytes / (await stat(base)).size));
  if (copies === 1) return base;
  const loopArgs = ['-stream_loop', String(copies - 1), '-i', base, '-c', 'copy', '-movflags', '+faststart'];
  return cached(`large-${copies}x`, [...baseArgs, ...loopArgs], (tmp) =>
    runFfmpeg(['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...loopArgs, tmp]),
  );
}
