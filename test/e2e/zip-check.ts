import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface VideoStreams {
  file: string;
  video: string | undefined;
  audio: string | undefined;
  durationSec: number;
}

/** Tests every CRC in the archive (unzip -t), extracts it, and lists its files. */
export function extractZip(zipPath: string): { dir: string; files: string[] } {
  execFileSync('unzip', ['-tq', zipPath]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-zip-'));
  execFileSync('unzip', ['-q', zipPath, '-d', dir]);
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
  return { dir, files };
}

/** What ffprobe sees in a video: its codecs and duration. */
export function probeVideo(file: string): VideoStreams {
  const out = execFileSync('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name:format=duration',
    '-of',
    'json',
    file,
  ]).toString();
  const parsed = JSON.parse(out) as {
    streams: Array<{ codec_type: string; codec_name: string }>;
    format: { duration?: string };
  };
  const codec = (type: string) => parsed.streams.find((s) => s.codec_type === type)?.codec_name;
  return {
    file,
    video: codec('video'),
    audio: codec('audio'),
    durationSec: Number(parsed.format.duration ?? 0),
  };
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}
