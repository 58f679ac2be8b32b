import { UserError } from '../../errors.js';
import {
  COLOUR_NAMES,
  DEFAULT_FIT,
  DEFAULT_FORMATS,
  DEFAULT_PAD_COLOUR,
  FITS,
  FORMATS,
  isFit,
  type Placements,
  parseColour,
  parseFormats,
} from './placement.js';
import { isPlatform, PLATFORM_LIMITS, PLATFORMS, type PlatformName } from './platforms.js';

/**
 * What a job asks of its outputs beyond the variations themselves — placements, fill, platform,
 * loudness — read alike from CLI flags, JSON and form fields, with one set of messages.
 */
export interface PlacementChoice {
  placements: Placements;
  platform: PlatformName | null;
  /** Integrated loudness every output is brought to, LUFS; null keeps each source's own level. */
  loudnessLufs: number | null;
}

export interface PlacementInput {
  formats?: readonly string[] | string;
  fit?: string;
  padColour?: string;
  platform?: string;
  /** LUFS as a number or text (`-14`), or `off`. */
  loudness?: string | number;
}

/** Loudness targets vidvar accepts: quieter than −40 LUFS is silence, louder than −5 distorts. */
export const LOUDNESS_RANGE = { min: -40, max: -5 } as const;

export const DEFAULT_CHOICE: PlacementChoice = {
  placements: { formats: [...DEFAULT_FORMATS], layout: { fit: DEFAULT_FIT, padColour: DEFAULT_PAD_COLOUR } },
  platform: null,
  loudnessLufs: null,
};

/** The choice, or a UserError (400 / exit 2) that names the allowed values. */
export function resolvePlacement(input: PlacementInput): PlacementChoice {
  const platform = input.platform === undefined || input.platform === '' ? null : input.platform;
  if (platform !== null && !isPlatform(platform)) {
    throw bad('bad_platform', `Unknown platform "${platform}": use one of ${PLATFORMS.join(', ')}.`);
  }
  const limits = platform ? PLATFORM_LIMITS[platform] : null;
  const listed = typeof input.formats === 'string' ? [input.formats] : (input.formats ?? []);
  const { formats, unknown } = parseFormats(listed);
  if (unknown.length > 0) {
    throw bad('bad_format', `Unknown format "${unknown[0]}": use any of ${FORMATS.join(', ')}.`);
  }
  const fit = input.fit === undefined || input.fit === '' ? DEFAULT_FIT : input.fit;
  if (!isFit(fit)) throw bad('bad_fit', `Unknown fit "${fit}": use one of ${FITS.join(', ')}.`);
  const colourText = input.padColour === undefined || input.padColour === '' ? null : input.padColour;
  const padColour = colourText === null ? DEFAULT_PAD_COLOUR : parseColour(colourText);
  if (padColour === null) {
    throw bad(
      'bad_pad_colour',
      `"${colourText}" is not a colour: give #RRGGBB (e.g. #1a1a1a) or one of ${COLOUR_NAMES.join(', ')}.`,
    );
  }
  return {
    placements: {
      formats: formats.length > 0 ? formats : [...(limits?.formats ?? DEFAULT_FORMATS)],
      layout: { fit, padColour },
    },
    platform,
    loudnessLufs: loudness(input.loudness, limits?.loudness.lufs ?? null),
  };
}

function loudness(value: string | number | undefined, preset: number | null): number | null {
  if (value === undefined || value === '') return preset;
  if (typeof value === 'string' && value.trim().toLowerCase() === 'off') return null;
  const lufs = typeof value === 'number' ? value : Number(value.trim().replace(/\s*lufs$/i, ''));
  if (!Number.isFinite(lufs) || lufs < LOUDNESS_RANGE.min || lufs > LOUDNESS_RANGE.max) {
    throw bad(
      'bad_loudness',
      `Loudness must be "off" or a level in LUFS from ${LOUDNESS_RANGE.min} to ${LOUDNESS_RANGE.max} (e.g. -14).`,
    );
  }
  return Math.round(lufs * 10) / 10;
}

function bad(code: string, message: string): UserError {
  return new UserError(code, message, 400);
}
