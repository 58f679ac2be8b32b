import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { EngineOptions } from '../options.js';
import { ffmpegVersion } from './version.js';

const exec = promisify(execFile);

/** What a caller's commands need of the FFmpeg build (render/ffmpeg-requirements.ts says what vidvar's need). */
export interface FfmpegRequirements {
  encoders: readonly string[];
  filters: readonly string[];
  bitstreamFilters: readonly string[];
}

export interface FfmpegCapabilities {
  /** `ffmpeg -version`'s version, e.g. "5.1.9-0+deb12u1"; empty when FFmpeg is missing. */
  version: string;
  missing: string[];
}

/** Runs `ffmpeg -version`, `-encoders`, `-filters` and `-bsfs` once at start-up. */
export async function checkFfmpeg(
  options: EngineOptions,
  required: FfmpegRequirements,
): Promise<FfmpegCapabilities> {
  const run = async (program: string, args: string[]) => {
    try {
      return (await exec(program, args, { maxBuffer: 4 * 1024 * 1024 })).stdout;
    } catch {
      return null;
    }
  };
  const version = await ffmpegVersion(options);
  const probe = await run(options.ffprobePath, ['-hide_banner', '-version']);
  if (version === null) return { version: '', missing: [`${options.ffmpegPath} (FFmpeg is not installed)`] };
  if (probe === null) return { version: '', missing: [`${options.ffprobePath} (ffprobe is not installed)`] };
  const encoders = (await run(options.ffmpegPath, ['-hide_banner', '-encoders'])) ?? '';
  const filters = (await run(options.ffmpegPath, ['-hide_banner', '-filters'])) ?? '';
  const bsfs = (await run(options.ffmpegPath, ['-hide_banner', '-bsfs'])) ?? '';
  // `-encoders` and `-filters` print flags, then the name; `-bsfs` prints one name a line.
  const listed = (text: string, name: string) => new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(text);
  const named = (text: string, name: string) => new RegExp(`^\\s*${name}\\s*$`, 'm').test(text);
  const missing = [
    ...required.encoders.filter((e) => !listed(encoders, e)).map((e) => `encoder ${e}`),
    ...required.filters.filter((f) => !listed(filters, f)).map((f) => `filter ${f}`),
    ...required.bitstreamFilters.filter((b) => !named(bsfs, b)).map((b) => `bitstream filter ${b}`),
  ];
  return { version, missing };
}
