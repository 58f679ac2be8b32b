import { AUDIO_EFFECTS } from './audio.js';
import { COLOUR_EFFECTS } from './colour.js';
import { FRAMING_EFFECTS } from './framing.js';
import { TEXTURE_EFFECTS } from './texture.js';
import { frameRate, speed, trim } from './timing.js';
import type { EffectDefinition } from './types.js';

/**
 * Every effect the planner may use. The order is the order filters run in a chain: timing first
 * (trim, speed, then the frame-rate conversion), so the picture filters only process frames that
 * reach the output; then framing, colour and texture; audio effects after the audio trim and tempo.
 */
export const EFFECTS: readonly EffectDefinition[] = [
  trim,
  speed,
  frameRate,
  ...FRAMING_EFFECTS,
  ...COLOUR_EFFECTS,
  ...TEXTURE_EFFECTS,
  ...AUDIO_EFFECTS,
];

const BY_ID = new Map(EFFECTS.map((effect, position) => [effect.id, { effect, position }]));

function entry(id: string): { effect: EffectDefinition; position: number } {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`unknown effect: ${JSON.stringify(id).slice(0, 60)}`);
  return found;
}

/** The effect with this id; throws for an id no catalogue entry has (a stored plan from another version). */
export function effectById(id: string): EffectDefinition {
  return entry(id).effect;
}

/** Position in the catalogue, which is the order filters run in. */
export function effectOrder(id: string): number {
  return entry(id).position;
}
