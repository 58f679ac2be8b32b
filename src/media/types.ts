/** The vocabulary of the engine: what a probed source is, and what a planned variation is. */

export type Intensity = 'subtle' | 'medium' | 'strong';
export const INTENSITIES: readonly Intensity[] = ['subtle', 'medium', 'strong'];

export type Rotation = 0 | 90 | 180 | 270;

export interface VideoStreamInfo {
  /** Index of the stream inside the container (what `-map 0:<index>` needs). */
  index: number;
  codec: string;
  profile: string | null;
  pixFmt: string;
  /** Size of the coded pictures, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Size as a viewer sees it: rotation applied, sample aspect ratio applied. */
  width: number;
  height: number;
  /** Clockwise rotation a player applies to the coded pictures. */
  rotation: Rotation;
  /** Average frame rate, frames per second (variable frame rate sources too). */
  fps: number;
  frameCount: number | null;
  /**
   * Frames a decoder holds back to reorder (ffprobe's has_b_frames): the last packet in decoding order
   * starts this many frames before the last picture. Absent in records made before it was probed.
   */
  reorderFrames?: number;
  /**
   * Set when the pictures are HDR (PQ or HLG transfer): what the tone mapping to SDR BT.709 reads
   * them as. Absent for SDR sources and in records made before it was probed.
   */
  hdr?: HdrColour;
}

/** An HDR source's colour description, in the names FFmpeg's zscale takes. */
export interface HdrColour {
  transfer: 'smpte2084' | 'arib-std-b67';
  primaries: string;
  matrix: string;
}

export interface AudioStreamInfo {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number;
}

export interface MediaInfo {
  /** The allow-listed demuxer FFmpeg must be forced to use for this file (`-f <demuxer>`). */
  demuxer: string;
  /** ffprobe's format_name, for messages and logs. */
  formatName: string;
  durationSec: number;
  sizeBytes: number;
  /** Overall bit rate in bits per second, when known. */
  bitRate: number | null;
  video: VideoStreamInfo;
  audio: AudioStreamInfo | null;
}

export type EffectParamValue = number | boolean | string;
export type EffectParams = Record<string, EffectParamValue>;

/** One effect chosen for one output, with the exact parameters it was sampled with. */
export interface PlannedEffect {
  id: string;
  params: EffectParams;
}

/** Settings of the H.264/AAC encode that also vary between outputs. */
export interface EncodeSettings {
  crf: number;
  /** Keyframe interval in frames. */
  gop: number;
  preset: string;
  /** Extra libx264 options (`-x264-params`), empty for none: part of what makes the bytes. */
  x264Params: string;
  audioBitrateK: number;
}

/** Everything needed to render one variation again, byte for byte: it goes into the manifest. */
export interface VariationPlan {
  /** 1-based position among the outputs of one source. */
  index: number;
  intensity: Intensity;
  effects: PlannedEffect[];
  encode: EncodeSettings;
  /** Canonical string of effects + parameters; no two outputs of a job share one. */
  signature: string;
}
