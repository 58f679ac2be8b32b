import { describe, expect, it } from 'vitest';
import { MAX_STREAMS, mediaInfoFromProbe } from '../../src/media/admission/probe-mapping.js';
import { MediaError } from '../../src/media/admission/refusals.js';

const FILE = { demuxer: 'mov,mp4,m4a,3gp,3g2,mj2', sizeBytes: 1000, name: 'clip.mp4' };

function video(overrides: Record<string, unknown> = {}) {
  return {
    index: 0,
    codec_type: 'video',
    codec_name: 'h264',
    profile: 'High',
    pix_fmt: 'yuv420p',
    width: 1920,
    height: 1080,
    sample_aspect_ratio: '1:1',
    avg_frame_rate: '30/1',
    r_frame_rate: '30/1',
    nb_frames: '60',
    duration: '2.000000',
    disposition: { default: 1, attached_pic: 0 },
    ...overrides,
  };
}

function audio(overrides: Record<string, unknown> = {}) {
  return {
    index: 1,
    codec_type: 'audio',
    codec_name: 'aac',
    channels: 2,
    sample_rate: '48000',
    disposition: { default: 1, attached_pic: 0 },
    ...overrides,
  };
}

function probe(streams: unknown[], format: Record<string, unknown> = {}) {
  return {
    streams,
    format: { format_name: FILE.demuxer, duration: '2.000000', bit_rate: '800000', ...format },
  };
}

function refusalCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof MediaError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('mediaInfoFromProbe', () => {
  it('maps an ordinary landscape clip with sound', () => {
    const info = mediaInfoFromProbe(probe([video(), audio()]), FILE);
    expect(info).toMatchObject({
      demuxer: FILE.demuxer,
      durationSec: 2,
      sizeBytes: 1000,
      bitRate: 800000,
      video: { index: 0, codec: 'h264', width: 1920, height: 1080, rotation: 0, fps: 30, frameCount: 60 },
      audio: { index: 1, codec: 'aac', channels: 2, sampleRate: 48000 },
    });
  });

  it('turns a phone recording upright: a -90° display matrix is 90° clockwise and swaps the displayed size', () => {
    const phone = video({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] });
    const info = mediaInfoFromProbe(probe([phone]), FILE);
    expect(info.video).toMatchObject({
      rotation: 90,
      codedWidth: 1920,
      codedHeight: 1080,
      width: 1080,
      height: 1920,
    });
  });

  it('keeps the displayed size for an upside-down recording and reads the old rotate tag', () => {
    const flipped = video({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 180 }] });
    expect(mediaInfoFromProbe(probe([flipped]), FILE).video).toMatchObject({ rotation: 180, width: 1920 });
    const tagged = video({ tags: { rotate: '270' } });
    expect(mediaInfoFromProbe(probe([tagged]), FILE).video).toMatchObject({
      rotation: 270,
      width: 1080,
      height: 1920,
    });
  });

  it('applies a non-square sample aspect ratio before rotation', () => {
    const anamorphic = video({ width: 720, height: 480, sample_aspect_ratio: '32:27' });
    expect(mediaInfoFromProbe(probe([anamorphic]), FILE).video).toMatchObject({ width: 853, height: 480 });
    const turned = video({
      width: 160,
      height: 240,
      sample_aspect_ratio: '1:2',
      side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }],
    });
    expect(mediaInfoFromProbe(probe([turned]), FILE).video).toMatchObject({ width: 240, height: 80 });
  });

  it('uses the average frame rate of a variable-frame-rate clip, not its time base rate', () => {
    const slowMotion = video({ avg_frame_rate: '630000/47281', r_frame_rate: '30/1' });
    expect(mediaInfoFromProbe(probe([slowMotion]), FILE).video.fps).toBe(13.325);
  });

  it('falls back to the base rate when the average is missing or a timestamp artefact', () => {
    const recorder = video({ avg_frame_rate: '0/0', r_frame_rate: '50/3' });
    expect(mediaInfoFromProbe(probe([recorder]), FILE).video.fps).toBe(16.667);
    const flv = video({ avg_frame_rate: '1000/1', r_frame_rate: '60/1' });
    expect(mediaInfoFromProbe(probe([flv]), FILE).video.fps).toBe(60);
  });

  it('ignores cover art, data and subtitle streams when choosing the picture', () => {
    const cover = video({ index: 0, codec_name: 'mjpeg', disposition: { default: 0, attached_pic: 1 } });
    const data = { index: 1, codec_type: 'data', codec_tag_string: 'mebx' };
    const subtitles = { index: 2, codec_type: 'subtitle', codec_name: 'subrip' };
    const info = mediaInfoFromProbe(
      probe([cover, data, subtitles, video({ index: 3 }), audio({ index: 4 })]),
      FILE,
    );
    expect(info.video).toMatchObject({ index: 3, codec: 'h264' });
    expect(info.audio?.index).toBe(4);
  });

  it('refuses a song with cover art as sound only, and subtitles alone as having no picture', () => {
    const cover = video({ codec_name: 'png', disposition: { attached_pic: 1 } });
    expect(refusalCode(() => mediaInfoFromProbe(probe([audio({ index: 0 }), cover]), FILE))).toBe(
      'audio_only',
    );
    const subtitles = { index: 0, codec_type: 'subtitle' };
    expect(refusalCode(() => mediaInfoFromProbe(probe([subtitles]), FILE))).toBe('no_video_stream');
  });

  it('names the file in the refusal sentence', () => {
    expect(() => mediaInfoFromProbe(probe([audio()]), FILE)).toThrow(
      'clip.mp4 contains only sound, no picture.',
    );
  });

  it('drops an audio track whose codec FFmpeg could not identify', () => {
    const unknown = audio({ codec_name: undefined, channels: 0, sample_rate: '0' });
    expect(mediaInfoFromProbe(probe([video(), unknown]), FILE).audio).toBeNull();
  });

  it('takes the duration from the container, else the video stream, else reports 0 (unknown)', () => {
    expect(
      mediaInfoFromProbe(probe([video({ duration: '1.5' })], { duration: '2.5' }), FILE).durationSec,
    ).toBe(2.5);
    expect(
      mediaInfoFromProbe(probe([video({ duration: '1.5' })], { duration: 'N/A' }), FILE).durationSec,
    ).toBe(1.5);
    const live = probe([video({ duration: undefined, nb_frames: undefined })], { duration: undefined });
    expect(mediaInfoFromProbe(live, FILE).durationSec).toBe(0);
  });

  it('refuses encrypted streams', () => {
    const cenc = video({ side_data_list: [{ side_data_type: 'Encryption initialization data' }] });
    expect(refusalCode(() => mediaInfoFromProbe(probe([cenc]), FILE))).toBe('encrypted');
    const mkv = video({ tags: { enc_key_id: 'AAAA' } });
    expect(refusalCode(() => mediaInfoFromProbe(probe([mkv]), FILE))).toBe('encrypted');
  });

  it('refuses a file with more tracks than the limit', () => {
    const many = Array.from({ length: MAX_STREAMS + 1 }, (_, i) => audio({ index: i + 1 }));
    expect(refusalCode(() => mediaInfoFromProbe(probe([video(), ...many]), FILE))).toBe('too_many_streams');
  });

  it('refuses a picture without dimensions as damaged, and survives JSON that is not ffprobe output', () => {
    expect(refusalCode(() => mediaInfoFromProbe(probe([video({ width: 0 })]), FILE))).toBe('corrupt');
    expect(refusalCode(() => mediaInfoFromProbe('nonsense', FILE))).toBe('no_video_stream');
  });
});
