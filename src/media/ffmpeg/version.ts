import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { EngineOptions } from '../options.js';

const exec = promisify(execFile);

/** One `ffmpeg -version` per FFmpeg program per process: the build does not change under a running server. */
const cache = new Map<string, Promise<string | null>>();

/**
 * The FFmpeg build's version ("5.1.9-0+deb12u1"), which manifests record: the same plan gives the same
 * bytes only with the same build. Null when FFmpeg cannot be run.
 */
export function ffmpegVersion(options: Pick<EngineOptions, 'ffmpegPath'>): Promise<string | null> {
  let version = cache.get(options.ffmpegPath);
  if (!version) {
    version = readVersion(options.ffmpegPath);
    cache.set(options.ffmpegPath, version);
  }
  return version;
}

async function readVersion(program: string): Promise<string | null> {
  try {
    const { stdout } = await exec(program, ['-hide_banner', '-version']);
    return parseFfmpegVersion(stdout);
  } catch {
    return null;
  }
}

/** "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) …" → "5.1.9-0+deb12u1"; the whole first line otherwise. */
export function parseFfmpegVersion(text: string): string {
  const first = text.split('\n')[0]?.trim() ?? '';
  return /^ffmpeg version (\S+)/.exec(first)?.[1] ?? first;
}
