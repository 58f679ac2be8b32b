import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { EngineOptions } from '../options.js';

const exec = promisify(execFile);

/** Encoders and filters vidvar's commands rely on; the server refuses to start without them. */
export const REQUIRED_ENCODERS = ['libx264', 'aac', 'mjpeg'];
export const REQUIRED_FILTERS = [
  'scale',
  'crop',
  'hflip',
  'rotate',
  'eq',
  'hue',
  'colortemperature',
  'curves',
  'vignette',
  'noise',
  'unsharp',
  'gblur',
  'setpts',
  'fps',
  'trim',
  'split',
  'atempo',
  'asetrate',
  'aresample',
  'volume',
  'equalizer',
  'asplit',
  'atrim',
  'concat',
  'format',
  'setsar',
];

export interface FfmpegCapabilities {
  version: string;
  missing: string[];
}

/** Runs `ffmpeg -version`, `-encoders` and `-filters` once at start-up. */
export async function checkFfmpeg(options: EngineOptions): Promise<FfmpegCapabilities> {
  const run = async (program: string, args: string[]) => {
    try {
      return (await exec(program, args, { maxBuffer: 4 * 1024 * 1024 })).stdout;
    } catch {
      return null;
    }
  };
  const version = await run(options.ffmpegPath, ['-hide_banner', '-version']);
  const probe = await run(options.ffprobePath, ['-hide_banner', '-version']);
  if (version === null) return { version: '', missing: [`${options.ffmpegPath} (FFmpeg is not installed)`] };
  if (probe === null) return { version: '', missing: [`${options.ffprobePath} (ffprobe is not installed)`] };
  const encoders = (await run(options.ffmpegPath, ['-hide_banner', '-encoders'])) ?? '';
  const filters = (await run(options.ffmpegPath, ['-hide_banner', '-filters'])) ?? '';
  const listed = (text: string, name: string) => new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(text);
  const missing = [
    ...REQUIRED_ENCODERS.filter((e) => !listed(encoders, e)).map((e) => `encoder ${e}`),
    ...REQUIRED_FILTERS.filter((f) => !listed(filters, f)).map((f) => `filter ${f}`),
  ];
  return { version: version.split('\n')[0]?.trim() ?? '', missing };
}
