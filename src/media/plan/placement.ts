import type { MediaInfo } from '../types.js';
import { even, type OutputGeometry, outputGeometry } from './output-format.js';

/**
 * Placements: the shapes an ad runs in. `source` keeps the source's own shape (what vidvar always
 * made); the others are the standard sizes of Reels/Stories/TikTok/Shorts (9:16), Meta's feed (4:5
 * and 1:1) and YouTube in-stream (16:9).
 */
export const FORMATS = ['source', '9x16', '4x5', '1x1', '16x9'] as const;
export type FormatName = (typeof FORMATS)[number];

/** How a picture of another shape fills a placement. */
export const FITS = ['crop', 'blur', 'pad'] as const;
export type Fit = (typeof FITS)[number];

export const DEFAULT_FORMATS: readonly FormatName[] = ['source'];
export const DEFAULT_FIT: Fit = 'crop';
export const DEFAULT_PAD_COLOUR = '0x000000';

/** Standard frame sizes (width × height) of each placement before OUTPUT_MAX_SIDE caps them. */
export const FORMAT_SIZES: Record<Exclude<FormatName, 'source'>, readonly [number, number]> = {
  '9x16': [1080, 1920],
  '4x5': [1080, 1350],
  '1x1': [1080, 1080],
  '16x9': [1920, 1080],
};

/** How every placed output of a job is filled. */
export interface Layout {
  fit: Fit;
  /** FFmpeg colour, `0xRRGGBB`: the pad around the picture when fit is `pad`. */
  padColour: string;
}

export const DEFAULT_LAYOUT: Layout = { fit: DEFAULT_FIT, padColour: DEFAULT_PAD_COLOUR };

/** What a job asks of its outputs' shape: the placements each variation is delivered in, and their fill. */
export interface Placements {
  formats: FormatName[];
  layout: Layout;
}

export function isFormat(value: unknown): value is FormatName {
  return typeof value === 'string' && (FORMATS as readonly string[]).includes(value);
}

export function isFit(value: unknown): value is Fit {
  return typeof value === 'string' && (FITS as readonly string[]).includes(value);
}

/** Frame size of an output in this placement: the standard size, scaled down to the long-side cap. */
export function formatGeometry(media: MediaInfo, format: FormatName, maxLongSide: number): OutputGeometry {
  const own = outputGeometry(media, maxLongSide);
  if (format === 'source') return own;
  const [width, height] = FORMAT_SIZES[format];
  const scale = Math.min(1, maxLongSide / Math.max(width, height));
  const cap = Math.max(2, Math.floor(maxLongSide / 2) * 2);
  return {
    width: Math.min(cap, even(width * scale)),
    height: Math.min(cap, even(height * scale)),
    fps: own.fps,
  };
}

const NAMED_COLOURS: Record<string, string> = {
  black: '000000',
  white: 'ffffff',
  gray: '808080',
  grey: '808080',
  red: 'ff0000',
  green: '008000',
  blue: '0000ff',
  yellow: 'ffff00',
};

/**
 * A pad colour as FFmpeg's `0xRRGGBB`, from `#rrggbb`, `0xrrggbb`, `rrggbb` or a plain name
 * (black, white, grey…); null when it is not a colour. Never passed through as typed: it goes into
 * a filter graph, where `:` or `;` would be syntax.
 */
export function parseColour(text: string): string | null {
  const value = text.trim().toLowerCase();
  const named = NAMED_COLOURS[value];
  if (named) return `0x${named}`;
  const hex = /^(?:#|0x)?([0-9a-f]{6})$/.exec(value)?.[1];
  return hex ? `0x${hex}` : null;
}

export const COLOUR_NAMES: readonly string[] = Object.keys(NAMED_COLOURS);

/**
 * Formats as a user lists them (`9x16,4x5`): known names, each once, in the order given; the
 * unknown ones, for the message that names the allowed values.
 */
export function parseFormats(values: readonly string[]): { formats: FormatName[]; unknown: string[] } {
  const formats: FormatName[] = [];
  const unknown: string[] = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const value = raw.trim().toLowerCase().replace(':', 'x');
    if (value === '') continue;
    if (!isFormat(value)) unknown.push(raw.trim());
    else if (!formats.includes(value)) formats.push(value);
  }
  return { formats, unknown };
}
