import { UserError } from '../../errors.js';

/**
 * Why a file cannot become variations. Each code has one sentence a marketer understands, naming
 * the file as the user knows it; the numbers in it come from the facts the check measured.
 */
export interface RefusalFacts {
  durationSec?: number;
  limitSec?: number;
  width?: number;
  height?: number;
  maxSide?: number;
  streams?: number;
  maxStreams?: number;
  framesPerSec?: number;
  maxFramesPerSec?: number;
}

type Sentence = (name: string, facts: RefusalFacts) => string;

const REFUSALS = {
  empty_file: (n) => `${n} is empty: no data arrived.`,
  not_a_video: (n) => `${n} is not a video file we can read.`,
  unsupported_format: (n) =>
    `${n} is in a file format we do not accept; please export it as MP4, MOV or WebM.`,
  playlist_refused: (n) =>
    `${n} is a playlist or a list of links, not a video; please upload the video file itself.`,
  no_video_stream: (n) => `${n} contains no video picture.`,
  still_image: (n) => `${n} is a still image, not a video.`,
  audio_only: (n) => `${n} contains only sound, no picture.`,
  too_short: (n, f) =>
    `${n} is too short (${beyond(f, Math.floor)}); a video must last at least ${seconds(f.limitSec)}.`,
  too_long: (n, f) => `${n} is too long (${beyond(f, Math.ceil)}); the limit is ${seconds(f.limitSec)}.`,
  frame_too_large: (n, f) =>
    `${n} has too large a picture (${f.width}×${f.height} pixels); the limit is ${f.maxSide} pixels on either side.`,
  corrupt: (n) => `${n} is damaged and cannot be played.`,
  truncated: (n) => `${n} is incomplete, as if cut off before the end; please export or upload it again.`,
  encrypted: (n) => `${n} is copy-protected (encrypted), so it cannot be edited.`,
  too_many_streams: (n, f) => `${n} has too many tracks (${f.streams}); the limit is ${f.maxStreams}.`,
  too_many_frames: (n, f) =>
    `${n} has too many pictures per second (${Math.round(f.framesPerSec ?? 0)}); the limit is ${f.maxFramesPerSec}.`,
} satisfies Record<string, Sentence>;

export type RefusalCode = keyof typeof REFUSALS;

export class MediaError extends UserError {
  /** Set when this is a refusal of a source file, so the message can be re-worded for another name. */
  readonly refusal: { code: RefusalCode; facts: RefusalFacts } | null;

  constructor(
    code: string,
    message: string,
    status = 422,
    options?: { cause?: unknown; refusal?: { code: RefusalCode; facts: RefusalFacts } },
  ) {
    super(code, message, status, options);
    this.name = 'MediaError';
    this.refusal = options?.refusal ?? null;
  }

  /** The same refusal, its sentence naming the file as the user called it. */
  forFile(displayName: string): MediaError {
    if (!this.refusal) return this;
    return refuse(this.refusal.code, displayName, this.refusal.facts, this.cause);
  }
}

export function refuse(
  code: RefusalCode,
  fileName: string,
  facts: RefusalFacts = {},
  cause?: unknown,
): MediaError {
  const message = REFUSALS[code](fileName, facts);
  return new MediaError(code, message, 422, { cause, refusal: { code, facts } });
}

export function isRefusal(error: unknown): error is MediaError {
  return error instanceof MediaError && error.refusal !== null;
}

/** A measured duration that broke a limit; rounded away from the limit when it would print as the limit. */
function beyond(facts: RefusalFacts, away: (x: number) => number): string {
  const near = seconds(facts.durationSec);
  return near === seconds(facts.limitSec) ? seconds(facts.durationSec, away) : near;
}

/** "0.29 s", "45 s", "10 min", "3 h 5 min": how a person says a duration. */
function seconds(value: number | undefined, round: (x: number) => number = Math.round): string {
  if (value === undefined || !Number.isFinite(value)) return 'unknown length';
  if (value < 10) return `${round(value * 100) / 100} s`;
  if (value < 90) return `${round(value)} s`;
  const minutes = round(value / 60);
  if (minutes < 90) return `${minutes} min`;
  const rest = minutes % 60;
  return rest === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}
