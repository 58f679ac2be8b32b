import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMp4Facts } from '../../src/media/verify/mp4-facts.js';
import { verifyOutput } from '../../src/media/verify/verify-output.js';
import { type ClipSpec, clip } from '../support/clips.js';

/** What ffprobe says about a file, in the terms of Mp4Facts. */
function ffprobeFacts(file: string) {
  const json = execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file]);
  const probed = JSON.parse(json.toString()) as {
    format: { duration: string };
    streams: Array<{
      codec_type: string;
      codec_name: string;
      width?: number;
      height?: number;
      pix_fmt?: string;
      side_data_list?: Array<{ rotation?: number }>;
    }>;
  };
  const video = probed.streams.find((s) => s.codec_type === 'video');
  const audio = probed.streams.find((s) => s.codec_type === 'audio');
  return {
    durationSec: Number(probed.format.duration),
    codec: video?.codec_name,
    width: video?.width,
    height: video?.height,
    yuv420p8: video?.pix_fmt === 'yuv420p',
    rotated: video?.side_data_list?.some((d) => (d.rotation ?? 0) !== 0) ?? false,
    audio: audio?.codec_name ?? null,
  };
}

let dir: string;
/** An output as vidvar writes it: x264 with CABAC (Main profile), AAC, moov at the front. */
let rendered: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-facts-'));
  rendered = path.join(dir, 'rendered.mp4');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-i', clip({ duration: 2 }), '-c:v', 'libx264', '-preset', 'ultrafast'],
    ...['-x264-params', 'cabac=1:deblock=1', '-c:a', 'aac', '-movflags', '+faststart', rendered],
  ]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the facts of an MP4, read from its moov box', () => {
  const cases: Array<[string, ClipSpec | null]> = [
    ['a vidvar output (moov first)', null],
    ['H.264 with stereo sound (moov last)', { duration: 2 }],
    ['H.264 without sound', { duration: 1, audio: 'none' }],
    ['H.264 4:4:4 (High 4:4:4 profile)', { duration: 1, video: 'h264-444' }],
    ['HEVC 10-bit', { duration: 1, video: 'hevc10' }],
    ['a phone clip turned by its display matrix', { duration: 1, rotate: 90 }],
  ];
  it.each(cases)('%s: the same as ffprobe says', async (_name, spec) => {
    const file = spec ? clip(spec) : rendered;
    const [facts, probed] = [await readMp4Facts(file), ffprobeFacts(file)];
    expect(facts.durationSec).toBeCloseTo(probed.durationSec, 2);
    expect(facts.video?.codec === 'h264' ? 'h264' : 'other').toBe(probed.codec === 'h264' ? 'h264' : 'other');
    expect([facts.video?.width, facts.video?.height]).toEqual([probed.width, probed.height]);
    if (facts.video?.codec === 'h264') {
      expect(facts.video.chromaFormat === 1 && facts.video.bitDepth === 8).toBe(probed.yuv420p8);
    }
    expect(facts.video?.rotated).toBe(probed.rotated);
    expect(facts.audio?.codec ?? null).toBe(probed.audio);
  });
});

describe('the checks of a rendered output', () => {
  const expected = { durationSec: 2, width: 320, height: 568, hasAudio: true };

  it('accepts a vidvar output that is what was planned', async () => {
    const facts = await verifyOutput(rendered, expected);
    expect(facts).toMatchObject({ width: 320, height: 568 });
    expect(facts.durationSec).toBeCloseTo(2, 1);
  });

  it.each([
    ['another codec', clip({ duration: 2, video: 'hevc10' }), expected, /video codec (hev1|hvc1)/],
    ['4:4:4 chroma', clip({ duration: 2, video: 'h264-444' }), expected, /pixel format: chroma format 3/],
    ['rotation metadata', clip({ duration: 2, rotate: 90 }), expected, /rotation metadata left/],
    ['no sound when the source had some', clip({ duration: 2, audio: 'none' }), expected, /audio missing/],
    [
      'sound when the source had none',
      clip({ duration: 2 }),
      { ...expected, hasAudio: false },
      /unexpected audio/,
    ],
    ['another size', clip({ duration: 2 }), { ...expected, width: 360 }, /size 320x568, expected 360x568/],
    [
      'another duration',
      clip({ duration: 2 }),
      { ...expected, durationSec: 3 },
      /duration 2s, expected 3.00s/,
    ],
  ])('refuses %s, saying so', async (_name, file, expectation, reason) => {
    const refusal = verifyOutput(file, expectation);
    await expect(refusal).rejects.toMatchObject({ code: 'invalid_output', status: 500 });
    await expect(refusal).rejects.toThrow(reason);
  });

  it('refuses an empty file, a file cut off inside its moov and a file that is no MP4', async () => {
    const empty = path.join(dir, 'empty.mp4');
    const cut = path.join(dir, 'cut.mp4');
    const text = path.join(dir, 'text.mp4');
    writeFileSync(empty, '');
    writeFileSync(cut, readFileSync(rendered).subarray(0, 2000));
    writeFileSync(text, 'not a video at all, just some words in a file');
    await expect(verifyOutput(empty, expected)).rejects.toThrow(/empty file/);
    await expect(verifyOutput(cut, expected)).rejects.toThrow(
      /not a finished MP4: box moov runs past the end/,
    );
    await expect(verifyOutput(text, expected)).rejects.toThrow(/not a finished MP4/);
  });
});
