import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { MAX_STREAMS } from '../../src/media/admission/probe-mapping.js';
import { MediaError } from '../../src/media/admission/refusals.js';
import { DEMUXER_WHITELIST } from '../../src/media/ffmpeg/demuxers.js';
import { engineOptions } from '../../src/media/options.js';
import { planJob } from '../../src/media/plan/planner.js';
import { renderVariations } from '../../src/media/render/render.js';
import { buildRenderCommand } from '../../src/media/render/render-command.js';
import type { RenderTarget } from '../../src/media/render/render-types.js';
import type { MediaInfo } from '../../src/media/types.js';
import { clip, ffmpegFile } from '../support/clips.js';

/**
 * Media files are hostile input. FFmpeg opens them only with the demuxer admission detected (forced
 * with -f, under the allow-list), only through the file protocol, and maps nothing but the one video
 * and the one audio stream: subtitles, attachments, data tracks, chapters and metadata never reach an
 * output. Limits on duration, picture size and track count are enforced on real files.
 */
const options = engineOptions({ threads: 1, preset: 'ultrafast', maxLongSide: 320, fanOut: 1 });
const scratch = mkdtempSync(path.join(os.tmpdir(), 'vidvar-hostile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name?: string;
}

function streamsOf(file: string): {
  streams: ProbedStream[];
  tags: Record<string, string>;
  chapters: unknown[];
} {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-show_streams', '-show_format', '-show_chapters', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  const json = JSON.parse(out) as {
    streams: ProbedStream[];
    format: { tags?: Record<string, string> };
    chapters: unknown[];
  };
  return { streams: json.streams, tags: json.format.tags ?? {}, chapters: json.chapters };
}

let subtitles: string;
let attachment: string;
let chapters: string;
let source: string;
/** MKV: a subtitle track first, then video, audio, a second subtitle, a font attachment, chapters and a title. */
let mkv: string;
/** MOV: video, audio, a timecode data track and a mov_text subtitle. */
let mov: string;

beforeAll(() => {
  source = clip({ width: 320, height: 568, duration: 1 });
  subtitles = path.join(scratch, 'subs.srt');
  writeFileSync(subtitles, '1\n00:00:00,000 --> 00:00:01,000\nfile:///etc/passwd\n\n');
  attachment = path.join(scratch, 'font.ttf');
  writeFileSync(attachment, 'not really a font, but an attachment all the same');
  chapters = path.join(scratch, 'chapters.txt');
  writeFileSync(
    chapters,
    ';FFMETADATA1\ntitle=secret title\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=500\ntitle=one\n',
  );
  mkv = ffmpegFile('hostile-streams-v1.mkv', [
    ...['-i', subtitles, '-i', source, '-i', subtitles, '-f', 'ffmetadata', '-i', chapters],
    ...['-attach', attachment, '-metadata:s:t', 'mimetype=application/x-truetype-font'],
    ...[
      '-map',
      '0:s',
      '-map',
      '1:v',
      '-map',
      '1:a',
      '-map',
      '2:s',
      '-map_metadata',
      '3',
      '-map_chapters',
      '3',
    ],
    ...['-c', 'copy', '-c:s', 'srt'],
  ]);
  mov = ffmpegFile('hostile-streams-v1.mov', [
    ...['-i', source, '-i', subtitles, '-map', '0:v', '-map', '0:a', '-map', '1:s'],
    ...['-c', 'copy', '-c:s', 'mov_text', '-timecode', '01:00:00:00', '-metadata', 'title=secret title'],
  ]);
});

describe('what FFmpeg is told to read', () => {
  it('forces the detected demuxer, allows only the file protocol and maps only the chosen video and audio', async () => {
    const media = await admitMedia(mkv, 'hostile.mkv', options);
    expect(media.video.index).toBe(1);
    expect(media.audio?.index).toBe(2);
    const plans =
      planJob({ seed: 'argv', intensity: 'strong', count: 2, sources: [media], preset: 'ultrafast' })[0] ??
      [];
    const args = buildRenderCommand({
      inputPath: '/data/uploads/abc.src',
      media,
      targets: plans.map((plan, i) => ({ plan, outPath: `/data/work/o${i}.mp4` })),
      options,
      decodeThreads: 1,
    });
    const input = args.indexOf('-i');
    expect(args.slice(input - 6, input + 2)).toEqual([
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      DEMUXER_WHITELIST,
      '-f',
      'matroska,webm',
      '-i',
      'file:/data/uploads/abc.src',
    ]);
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    // Every -map names a labelled filter output; the graph reads input streams 1 and 2 only.
    const maps = args.flatMap((a, i) => (a === '-map' ? [args[i + 1]] : []));
    expect(maps).toEqual(['[v0]', '[a0]', '[v1]', '[a1]']);
    const graph = args[args.indexOf('-filter_complex') + 1] as string;
    expect([...new Set(graph.match(/\[0:[^\]]*\]/g))].sort()).toEqual(['[0:1]', '[0:2]']);
    // No filter that opens files (movie, amovie, subtitles) is ever in the graph.
    expect(graph).not.toMatch(/(^|[;,\]])\s*(a?movie|subtitles|ass)=/);
    // Metadata and chapters are dropped once per output; every output is a file: URL.
    expect(args.filter((a) => a === '-map_metadata')).toHaveLength(2);
    expect(args.filter((a) => a === '-map_chapters')).toHaveLength(2);
    expect(args.filter((a) => a.startsWith('file:'))).toEqual([
      'file:/data/uploads/abc.src',
      'file:/data/work/o0.mp4',
      'file:/data/work/o1.mp4',
    ]);
  });

  it('does not take the format from the file name: an MP4 named .mkv opens as MP4', async () => {
    const disguised = path.join(scratch, 'disguised.mkv');
    writeFileSync(disguised, readFileSync(source));
    const media = await admitMedia(disguised, 'disguised.mkv', options);
    expect(media.demuxer).toBe('mov,mp4,m4a,3gp,3g2,mj2');
  });
});

describe('a real file with subtitles, attachments, data tracks, chapters and metadata', () => {
  async function renderOne(file: string, name: string): Promise<string> {
    const media: MediaInfo = await admitMedia(file, name, options);
    const plan = planJob({
      seed: name,
      intensity: 'medium',
      count: 1,
      sources: [media],
      preset: 'ultrafast',
    })[0]?.[0];
    if (!plan) throw new Error('no plan');
    const dir = path.join(scratch, name);
    mkdirSync(dir, { recursive: true });
    const target: RenderTarget = {
      outputId: 'v1',
      plan,
      workPath: path.join(dir, 'v1.part.mp4'),
      finalPath: path.join(dir, 'v1.mp4'),
    };
    const [result] = await renderVariations({ inputPath: file, media, targets: [target], options });
    expect(result).toMatchObject({ ok: true });
    return target.finalPath;
  }

  it('the MKV really holds them all (the test file is what it claims)', () => {
    const { streams, tags, chapters: list } = streamsOf(mkv);
    expect(streams.map((s) => s.codec_type)).toEqual([
      'subtitle',
      'video',
      'audio',
      'subtitle',
      'attachment',
    ]);
    expect(tags.title).toBe('secret title');
    expect(list).toHaveLength(1);
    expect(streamsOf(mov).streams.map((s) => s.codec_type)).toEqual(['video', 'audio', 'subtitle', 'data']);
  });

  it('renders from MKV to exactly one H.264 and one AAC stream, no chapters, no title', async () => {
    const out = await renderOne(mkv, 'hostile.mkv');
    const { streams, tags, chapters: list } = streamsOf(out);
    expect(streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(['video:h264', 'audio:aac']);
    expect(tags.title).toBeUndefined();
    expect(list).toHaveLength(0);
    expect(readFileSync(out).includes('/etc/passwd')).toBe(false);
    expect(readFileSync(out).includes('x-truetype-font')).toBe(false);
  });

  it('renders from MOV without its timecode data track or its subtitles', async () => {
    const out = await renderOne(mov, 'hostile.mov');
    expect(streamsOf(out).streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual([
      'video:h264',
      'audio:aac',
    ]);
    expect(streamsOf(out).tags.title).toBeUndefined();
  });
});

describe('limits on real files', () => {
  async function refusalOf(file: string, opts = options): Promise<MediaError> {
    const error = await admitMedia(file, 'upload.bin', opts).then(
      () => new Error('admitted'),
      (e: unknown) => e,
    );
    if (!(error instanceof MediaError)) throw error;
    return error;
  }

  it(`refuses more than ${MAX_STREAMS} tracks before reading any packet`, async () => {
    const many = ffmpegFile('hostile-40-tracks.mkv', [
      '-i',
      source,
      '-map',
      '0:v',
      ...Array.from({ length: 40 }, () => ['-map', '0:a']).flat(),
      '-c',
      'copy',
    ]);
    const error = await refusalOf(many);
    expect(error.code).toBe('too_many_streams');
    expect(error.message).toBe(`upload.bin has too many tracks (41); the limit is ${MAX_STREAMS}.`);
  });

  it('refuses a picture wider than the limit and a file longer than the limit', async () => {
    const wide = ffmpegFile('hostile-wide.mp4', [
      ...['-f', 'lavfi', '-i', 'color=size=4112x16:rate=5:duration=1'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ]);
    expect((await refusalOf(wide)).code).toBe('frame_too_large');
    expect((await refusalOf(source, engineOptions({ ...options, maxDurationSec: 0.5 }))).code).toBe(
      'too_long',
    );
  });
});
