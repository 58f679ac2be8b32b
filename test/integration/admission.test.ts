import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { probeMedia } from '../../src/media/admission/probe.js';
import { MediaError } from '../../src/media/admission/refusals.js';
import { FfmpegError } from '../../src/media/ffmpeg/ffmpeg-error.js';
import { engineOptions } from '../../src/media/options.js';
import { cachedFile, clip, ffmpegFile } from '../support/clips.js';

const options = engineOptions({ stallTimeoutMs: 30_000 });
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'vidvar-admission-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function refusal(file: string, displayName: string): Promise<MediaError> {
  const error = await admitMedia(file, displayName, options).then(
    () => new Error(`${displayName} was admitted`),
    (e: unknown) => e,
  );
  if (!(error instanceof MediaError)) throw error;
  expect(error.status).toBe(422);
  expect(error.message).toContain(displayName);
  return error;
}

describe('admitMedia accepts real videos of every kind', () => {
  it('a clip with rotation metadata is measured as displayed', async () => {
    // FFmpeg 5.1 stores `rotate=90` as a display matrix turning 90° counter-clockwise, and plays it so.
    const info = await admitMedia(clip({ rotate: 90, duration: 1 }), 'phone.mp4', options);
    expect(info.video).toMatchObject({
      rotation: 270,
      codedWidth: 320,
      codedHeight: 568,
      width: 568,
      height: 320,
    });
    expect(info.demuxer).toBe('mov,mp4,m4a,3gp,3g2,mj2');
  });

  it('odd dimensions in 4:4:4 chroma', async () => {
    const odd = ffmpegFile('odd-444.mp4', [
      ...['-f', 'lavfi', '-i', 'testsrc=size=241x427:rate=30:duration=1'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p'],
    ]);
    const info = await admitMedia(odd, 'odd.mp4', options);
    expect(info.video).toMatchObject({ width: 241, height: 427, pixFmt: 'yuv444p' });
  });

  it('a clip without sound', async () => {
    const info = await admitMedia(clip({ audio: 'none', duration: 1 }), 'silent.mp4', options);
    expect(info.audio).toBeNull();
  });

  it('a variable-frame-rate clip', async () => {
    const info = await admitMedia(clip({ vfr: true, duration: 1 }), 'vfr.mp4', options);
    expect(info.video.fps).toBeGreaterThan(20);
    expect(info.video.fps).toBeLessThan(40);
  });

  it('10-bit HEVC in a MOV', async () => {
    const info = await admitMedia(clip({ video: 'hevc10', ext: 'mov', duration: 1 }), 'iphone.mov', options);
    expect(info.video).toMatchObject({ codec: 'hevc', pixFmt: 'yuv420p10le' });
  });

  it('5.1 sound, and mono 8 kHz sound', async () => {
    const surround = await admitMedia(clip({ audio: '5.1', duration: 1 }), 'surround.mp4', options);
    expect(surround.audio).toMatchObject({ codec: 'aac', channels: 6 });
    const phone = await admitMedia(clip({ audio: 'mono8k', duration: 1 }), 'call.mp4', options);
    expect(phone.audio).toMatchObject({ channels: 1, sampleRate: 8000 });
  });

  it('a live recording whose container never got a duration (measured from its packets)', async () => {
    const live = live2s();
    expect(
      execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', live], {
        encoding: 'utf8',
      }).trim(),
    ).toBe('N/A');
    expect((await admitMedia(live, 'recording.mkv', options)).durationSec).toBeCloseTo(2, 1);
  });

  it('a 0.4 s clip, and a WebM', async () => {
    expect((await admitMedia(clip({ duration: 0.4 }), 'blink.mp4', options)).durationSec).toBeCloseTo(0.4, 1);
    const webm = await admitMedia(clip({ video: 'vp9', ext: 'webm', duration: 1 }), 'web.webm', options);
    expect(webm.demuxer).toBe('matroska,webm');
  });
});

describe('admitMedia refuses what cannot become variations, saying why', () => {
  it('text, an empty file and random bytes', async () => {
    const text = cachedFile('notes.txt', () => 'Campaign notes: use the blue version.\n');
    expect((await refusal(text, 'notes.txt')).message).toBe('notes.txt is not a video file we can read.');
    const empty = cachedFile('empty.bin', () => '');
    expect((await refusal(empty, 'empty.mp4')).code).toBe('empty_file');
    expect((await refusal(noise(), 'noise.mp4')).code).toBe('not_a_video');
  });

  it('a truncated MP4, whether its index was at the front or the end', async () => {
    const front = ffmpegFile('faststart.mp4', [
      ...lavfi(2),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-movflags',
      '+faststart',
    ]);
    const cutFront = cachedFile('faststart-cut.mp4', () => truncate(front, 0.3));
    const error = await refusal(cutFront, 'export.mp4');
    expect(error.code).toBe('truncated');
    expect(error.message).toBe(
      'export.mp4 is incomplete, as if cut off before the end; please export or upload it again.',
    );
    const cutEnd = cachedFile('index-at-end-cut.mp4', () => truncate(clip({ duration: 1 }), 0.5));
    expect((await refusal(cutEnd, 'upload.mp4')).code).toBe('truncated');
  });

  it('sound only', async () => {
    const song = ffmpegFile('song.m4a', ['-f', 'lavfi', '-i', 'sine=duration=2', '-c:a', 'aac']);
    expect((await refusal(song, 'song.m4a')).message).toBe('song.m4a contains only sound, no picture.');
  });

  it('still images: PNG, JPEG and a one-frame video', async () => {
    const png = ffmpegFile('still.png', [...lavfi(1), '-frames:v', '1']);
    expect((await refusal(png, 'banner.png')).message).toBe('banner.png is a still image, not a video.');
    const jpeg = ffmpegFile('still.jpg', [...lavfi(1), '-frames:v', '1']);
    expect((await refusal(jpeg, 'banner.jpg')).code).toBe('still_image');
    const single = ffmpegFile('single.mp4', [
      ...lavfi(1),
      '-frames:v',
      '1',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
    ]);
    expect((await refusal(single, 'frame.mp4')).code).toBe('still_image');
  });

  it('a frame larger than the limit', async () => {
    const huge = ffmpegFile('8192.mp4', [
      ...['-f', 'lavfi', '-i', 'color=c=gray:s=8192x8192:r=25:d=0.08'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ]);
    expect((await refusal(huge, 'billboard.mp4')).message).toBe(
      'billboard.mp4 has too large a picture (8192×8192 pixels); the limit is 4096 pixels on either side.',
    );
  });

  it('too many pictures per second', async () => {
    const flood = ffmpegFile('2000fps.mkv', [
      ...['-f', 'lavfi', '-i', 'color=c=gray:s=16x16:r=2000:d=1'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ]);
    const refused = await refusal(flood, 'flood.mkv');
    expect(refused.code).toBe('too_many_frames');
    expect(refused.message).toMatch(
      /^flood\.mkv has too many pictures per second \(\d{4}\); the limit is 480\.$/,
    );
  });

  it('too long and too short', async () => {
    const threeHours = ffmpegFile('3h.mp4', [
      ...['-f', 'lavfi', '-i', 'color=c=gray:s=16x16:r=1:d=10800'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ]);
    expect((await refusal(threeHours, 'webinar.mp4')).message).toBe(
      'webinar.mp4 is too long (3 h); the limit is 10 min.',
    );
    const liveThreeHours = cachedFile('live-3h.mkv', () =>
      execFileSync('ffmpeg', [
        ...['-v', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=16x16:r=1:d=10800'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'matroska', 'pipe:1'],
      ]),
    );
    expect((await refusal(liveThreeHours, 'stream.mkv')).message).toBe(
      'stream.mkv is too long (3 h); the limit is 10 min.',
    );
    const tooShort = await refusal(clip({ duration: 0.2 }), 'blip.mp4');
    expect(tooShort.message).toBe('blip.mp4 is too short (0.2 s); a video must last at least 0.3 s.');
  });

  it('never writes a file and never deletes the input, refused or admitted', async () => {
    const folder = mkdtempSync(path.join(scratch, 'inputs-'));
    const song = path.join(folder, 'a.src');
    const video = path.join(folder, 'b.src');
    copyFileSync(ffmpegFile('song.m4a', ['-f', 'lavfi', '-i', 'sine=duration=2', '-c:a', 'aac']), song);
    copyFileSync(clip({ duration: 1 }), video);
    await refusal(song, 'song.m4a');
    await admitMedia(video, 'clip.mp4', options);
    expect(readdirSync(folder).sort()).toEqual(['a.src', 'b.src']);
  });

  it('a cancelled admission ends as a cancellation, not as a refusal', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await admitMedia(clip({ duration: 1 }), 'clip.mp4', options, controller.signal).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(FfmpegError);
    expect(error.code).toBe('ffmpeg_aborted');
  });
});

describe('playlists and concat lists are refused without FFmpeg reading what they point to', () => {
  // Relative names next to the list: what FFmpeg's HLS and concat demuxers would open (a concat
  // list's "safe" mode only refuses absolute and dotted paths). `passwd` links to /etc/passwd.
  const lists = {
    'hls.m3u8':
      '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\ntarget.mp4\n#EXTINF:1,\npasswd\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n',
    'list.ffconcat': 'ffconcat version 1.0\nfile target.mp4\nfile passwd\n',
  };

  for (const [name, text] of Object.entries(lists)) {
    it(`${name}: refused by admission and by FFmpeg's own allow-list, the targets never opened`, async () => {
      const canary = canaryVideo();
      const folder = path.dirname(canary);
      symlinkSync('/etc/passwd', path.join(folder, 'passwd'));
      const list = path.join(folder, 'list.src');
      writeFileSync(list, text);
      const error = await refusal(list, name);
      expect(error.code).toBe('playlist_refused');
      expect(error.message).not.toMatch(/passwd|root:/);
      // Straight to ffprobe, past our own sniffing: FFmpeg refuses the demuxer before it reads a header.
      const direct = await probeMedia(list, options).catch((e: unknown) => e);
      expect(direct).toBeInstanceOf(MediaError);
      expect((direct as MediaError).code).toBe('playlist_refused');
      expect(String((direct as MediaError).cause)).not.toMatch(/root:/);
      expect(wasRead(canary)).toBe(false);
    });
  }

  it('the canary itself proves reads are visible: reading it marks it', () => {
    const canary = canaryVideo();
    expect(wasRead(canary)).toBe(false);
    readFileSync(canary);
    expect(wasRead(canary)).toBe(true);
  });
});

/** Matroska written to a pipe, as a live recorder writes it: no duration, no index. */
function live2s(): string {
  return cachedFile('live-2s.mkv', () =>
    execFileSync('ffmpeg', [
      '-v',
      'error',
      ...lavfi(2),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-f',
      'matroska',
      'pipe:1',
    ]),
  );
}

function lavfi(seconds: number): string[] {
  return ['-f', 'lavfi', '-i', `testsrc2=size=320x568:rate=30:duration=${seconds}`];
}

function truncate(file: string, fraction: number): Buffer {
  const bytes = readFileSync(file);
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

/** 64 KiB that look random but are the same on every run. */
function noise(): string {
  return cachedFile('noise.bin', () => {
    const blocks: Buffer[] = [];
    let block = Buffer.from('vidvar');
    for (let i = 0; i < 2048; i++) {
      block = createHash('sha256').update(block).digest();
      blocks.push(block);
    }
    return Buffer.concat(blocks);
  });
}

const UNREAD_ATIME = new Date('2001-01-01T00:00:00Z');

/**
 * A real video whose access time lies before its modification time: the file system (relatime)
 * then updates the access time on the next read, so a read by anyone shows.
 */
function canaryVideo(): string {
  const canary = path.join(mkdtempSync(path.join(scratch, 'canary-')), 'target.mp4');
  copyFileSync(clip({ duration: 1 }), canary);
  utimesSync(canary, UNREAD_ATIME, new Date());
  return canary;
}

function wasRead(file: string): boolean {
  return statSync(file).atimeMs !== UNREAD_ATIME.getTime();
}
