import type { MediaInfo, Rotation } from '../../src/media/types.js';

/** What a probe would say about a source, without a file: a 15 s, 30 fps 1080×1920 phone ad with AAC audio. */
export interface FakeMediaOptions {
  width?: number;
  height?: number;
  /** Size of the coded pictures, before rotation; the display size unless given. */
  codedWidth?: number;
  codedHeight?: number;
  rotation?: Rotation;
  fps?: number;
  durationSec?: number;
  demuxer?: string;
  sizeBytes?: number;
  bitRate?: number | null;
  videoIndex?: number;
  /** Stream index of the audio; null for a source without audio. */
  audioIndex?: number | null;
}

export function fakeMedia(o: FakeMediaOptions = {}): MediaInfo {
  const width = o.width ?? 1080;
  const height = o.height ?? 1920;
  const audioIndex = o.audioIndex === undefined ? 1 : o.audioIndex;
  return {
    demuxer: o.demuxer ?? 'mov',
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSec: o.durationSec ?? 15,
    sizeBytes: o.sizeBytes ?? 10_000_000,
    bitRate: o.bitRate === undefined ? 5_000_000 : o.bitRate,
    video: {
      index: o.videoIndex ?? 0,
      codec: 'h264',
      profile: 'High',
      pixFmt: 'yuv420p',
      codedWidth: o.codedWidth ?? width,
      codedHeight: o.codedHeight ?? height,
      width,
      height,
      rotation: o.rotation ?? 0,
      fps: o.fps ?? 30,
      frameCount: null,
    },
    audio: audioIndex === null ? null : { index: audioIndex, codec: 'aac', channels: 2, sampleRate: 48_000 },
  };
}
