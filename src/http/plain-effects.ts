import { effectById, type PlannedEffect } from '../media/index.js';

/**
 * What a planned effect did, in a marketer's words ("Zoom 112%, towards top right", "Warmer",
 * "Slightly faster (+5%)"), and the family it is grouped under on a card. The exact parameters stay
 * in the API's `params`, the technical `description` and the manifest; these words are only a reading.
 */
export interface PlainEffect {
  /** framing, colour, texture, timing, audio; `other` for an effect this version does not know. */
  family: string;
  plain: string;
}

type Params = PlannedEffect['params'];

const num = (p: Params, key: string): number => Number(p[key]);
const str = (p: Params, key: string): string => String(p[key]);
const signedPercent = (fraction: number): string => {
  const value = Math.round(fraction * 100);
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value)}%`;
};
const signedNumber = (value: number, unit: string): string =>
  `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value)}${unit}`;
/** "Slightly " below the size a viewer notices at a glance, else nothing; the phrase's own case follows. */
const slightly = (size: number, noticeable: number, phrase: string): string =>
  Math.abs(size) < noticeable ? `Slightly ${phrase.charAt(0).toLowerCase()}${phrase.slice(1)}` : phrase;

/** "towards top right", "towards the left", "centred": where a zoom's window sits, in thirds. */
function towards(x: number, y: number): string {
  const horizontal = x < 0.34 ? 'left' : x > 0.66 ? 'right' : '';
  const vertical = y < 0.34 ? 'top' : y > 0.66 ? 'bottom' : '';
  if (horizontal && vertical) return `towards ${vertical} ${horizontal}`;
  if (horizontal || vertical) return `towards the ${horizontal || vertical}`;
  return 'centred';
}

const BORDER_COLOURS: Record<string, string> = {
  black: 'Black',
  white: 'White',
  '0x1a1a1a': 'Charcoal',
  '0xf2f2f2': 'Off-white',
};

const EQ_BANDS: Record<string, string> = { bass: 'bass', mid: 'mid-range', treble: 'treble' };

/** One sentence per catalogue effect; thresholds for "slightly" sit near each range's middle. */
const WORDS: Record<string, (p: Params) => string> = {
  zoom: (p) => `Zoom ${Math.round(num(p, 'zoom') * 100)}%, ${towards(num(p, 'x'), num(p, 'y'))}`,
  tilt: (p) =>
    `Tilted ${Math.abs(num(p, 'degrees'))}° ${num(p, 'degrees') > 0 ? 'clockwise' : 'anticlockwise'}`,
  border: (p) => `${BORDER_COLOURS[str(p, 'colour')] ?? 'Plain'} frame around the picture`,
  mirror: () => 'Mirrored (left and right swapped)',
  hue: (p) =>
    `Colours shifted ${Math.abs(num(p, 'degrees')) < 8 ? 'slightly ' : ''}(${signedNumber(num(p, 'degrees'), '°')})`,
  brightness: (p) => slightly(num(p, 'brightness'), 0.05, num(p, 'brightness') > 0 ? 'Brighter' : 'Darker'),
  contrast: (p) =>
    slightly(num(p, 'contrast') - 1, 0.08, num(p, 'contrast') > 1 ? 'More contrast' : 'Less contrast'),
  saturation: (p) =>
    slightly(num(p, 'saturation') - 1, 0.15, num(p, 'saturation') > 1 ? 'Richer colours' : 'Softer colours'),
  // eq raises values to 1/gamma: above 1 lifts the mid-tones.
  gamma: (p) =>
    slightly(num(p, 'gamma') - 1, 0.1, num(p, 'gamma') > 1 ? 'Lighter mid-tones' : 'Deeper mid-tones'),
  temperature: (p) => slightly(num(p, 'shift'), 5, num(p, 'shift') > 0 ? 'Warmer' : 'Cooler'),
  curves: () => 'Faded film look',
  vignette: () => 'Vignette',
  grain: () => 'Film grain',
  sharpen: () => 'Sharper',
  soften: () => 'Softer focus',
  'fade-in': (p) => `Fades in from ${str(p, 'colour')}`,
  trim: (p) => {
    const cut = Math.round((num(p, 'head') + num(p, 'tail')) * 100) / 100;
    return num(p, 'tail') > 0 ? `Trimmed ${cut} s (start and end)` : `Trimmed ${cut} s at the start`;
  },
  speed: (p) =>
    slightly(
      num(p, 'factor') - 1,
      0.06,
      `${num(p, 'factor') > 1 ? 'Faster' : 'Slower'} (${signedPercent(num(p, 'factor') - 1)})`,
    ),
  'frame-rate': (p) => `${num(p, 'fps')} frames per second`,
  volume: (p) =>
    slightly(
      num(p, 'db'),
      3,
      `${num(p, 'db') > 0 ? 'Louder' : 'Quieter'} (${signedNumber(num(p, 'db'), ' dB')})`,
    ),
  pitch: (p) =>
    `Pitch ${Math.abs(num(p, 'semitones')) < 1 ? 'slightly ' : ''}${num(p, 'semitones') > 0 ? 'higher' : 'lower'}`,
  eq: (p) => `${num(p, 'gain') > 0 ? 'More' : 'Less'} ${EQ_BANDS[str(p, 'band')] ?? str(p, 'band')}`,
  'noise-bed': () => 'Soft background noise',
};

/** The catalogue's families as a card groups them: a mirror is framing to the person looking. */
const DISPLAY_FAMILY: Record<string, string> = { orientation: 'framing' };

export function plainEffect(effect: PlannedEffect): PlainEffect {
  let family = 'other';
  try {
    const definition = effectById(effect.id);
    family = DISPLAY_FAMILY[definition.family] ?? definition.family;
  } catch {
    // A stored plan may name an effect this version no longer has: shown by its id, under "other".
  }
  const words = WORDS[effect.id];
  return { family, plain: words ? words(effect.params) : effect.id };
}

/** Every change of one variation in one line, for the CSV: "Zoom 112%, towards top right; Warmer". */
export function plainChanges(effects: readonly PlannedEffect[]): string {
  return effects.map((effect) => plainEffect(effect).plain).join('; ');
}
