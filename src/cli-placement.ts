import { UsageError } from './cli-usage.js';
import { isUserError } from './errors.js';
import { type PlacementChoice, resolvePlacement } from './media/index.js';

/** The options that shape a batch's outputs for where they run: placements, fill, platform, loudness. */
export const PLACEMENT_OPTIONS = {
  formats: { type: 'string', multiple: true },
  fit: { type: 'string' },
  'pad-colour': { type: 'string' },
  platform: { type: 'string' },
  loudness: { type: 'string' },
} as const;

export const PLACEMENT_HELP = `      --formats LIST       placements of each variation: source, 9x16, 4x5, 1x1, 16x9
                           (comma-separated; default: source, or the platform's own)
      --fit FIT            crop | blur | pad: how a picture of another shape fills a placement
                           (default: crop)
      --pad-colour C       the pad's colour with --fit pad: #RRGGBB or a name (default: black)
      --platform P         meta | tiktok | youtube-shorts | youtube: that platform's placements,
                           loudness and checks against its published limits
      --loudness L         integrated loudness in LUFS (e.g. -14), or off (default: off; -14
                           with --platform)`;

interface PlacementValues {
  formats?: string[];
  fit?: string;
  'pad-colour'?: string;
  platform?: string;
  loudness?: string;
}

/** The placement options of a command line, or a UsageError (exit 2) naming the allowed values. */
export function placementChoice(values: PlacementValues): PlacementChoice {
  try {
    return resolvePlacement({
      ...(values.formats ? { formats: values.formats } : {}),
      ...(values.fit !== undefined ? { fit: values.fit } : {}),
      ...(values['pad-colour'] !== undefined ? { padColour: values['pad-colour'] } : {}),
      ...(values.platform !== undefined ? { platform: values.platform } : {}),
      ...(values.loudness !== undefined ? { loudness: values.loudness } : {}),
    });
  } catch (error) {
    if (isUserError(error)) throw new UsageError(error.message);
    throw error;
  }
}
