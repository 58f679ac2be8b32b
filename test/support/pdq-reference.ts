import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LumaFrame } from '../../src/media/verify/jarosz.js';
import { type FrameHash, parseFrameHashes } from '../../src/media/verify/vpdq-hash-file.js';

/**
 * Meta's PDQ/vPDQ test data beside the repository (../shared/reference/pdq): pictures with the
 * hashes the reference tests expect, seven clips and their frame hashes from the reference tool.
 */
export const PDQ_REFERENCE_DIR =
  process.env.VIDVAR_PDQ_REFERENCE ??
  path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'reference', 'pdq');

export const PDQ_REFERENCE_PRESENT = existsSync(path.join(PDQ_REFERENCE_DIR, 'images', 'expected.tsv'));

export const REFERENCE_CLIPS = [
  'chair-19-sd-bar',
  'chair-22-sd-sepia-bar',
  'chair-22-with-large-logo-bar',
  'chair-orig-22-sd-bar',
  'doorknob-hd-no-bar',
  'pattern-hd-no-bar',
  'pattern-sd-with-small-logo-bar',
] as const;

export function expectedImageHashes(): { image: string; hex: string }[] {
  const lines = readFileSync(path.join(PDQ_REFERENCE_DIR, 'images', 'expected.tsv'), 'utf8')
    .trim()
    .split('\n');
  return lines.slice(1).map((line) => {
    const [image = '', hex = ''] = line.split('\t');
    return { image, hex };
  });
}

export function shippedFrameHashes(clip: string): FrameHash[] {
  return parseFrameHashes(readFileSync(path.join(PDQ_REFERENCE_DIR, 'video-hashes', `${clip}.txt`), 'utf8'));
}

/**
 * A picture as RGB from FFmpeg, shrunk to fit 512 px when larger (what the reference tools do
 * before hashing; `maxSide` 0 keeps the full size). Full chroma interpolation and exact rounding
 * keep FFmpeg's JPEG colours close to other decoders'.
 */
export function decodeImage(file: string, maxSide = 512): LumaFrame {
  const probe = [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height',
    '-of',
    'csv=p=0',
  ];
  const [w = 0, h = 0] = execFileSync('ffprobe', [...probe, file], { encoding: 'utf8' })
    .trim()
    .split(',')
    .map(Number);
  const scale = maxSide > 0 ? Math.min(1, maxSide / Math.max(w, h)) : 1;
  const width = Math.round(w * scale);
  const height = Math.round(h * scale);
  const flags = 'area+accurate_rnd+full_chroma_int+full_chroma_inp';
  const args = ['-v', 'error', '-i', file, '-vf', `scale=${width}:${height}:flags=${flags},format=rgb24`];
  args.push('-f', 'rawvideo', 'pipe:1');
  const data = execFileSync('ffmpeg', args, { maxBuffer: 64 * 1024 * 1024 });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height, format: 'rgb24' };
}
