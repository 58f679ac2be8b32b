import { effectById, type PlannedEffect } from '../media/index.js';
import type { EffectDescriber } from './job-view.js';
import { plainEffect } from './plain-effects.js';

/**
 * Label and one-line description of a planned effect, from the catalogue, with its plain words. A
 * stored plan may name an effect this version no longer has: it is shown by its id rather than
 * breaking the whole job view.
 */
export const describeEffect: EffectDescriber = (effect: PlannedEffect) => {
  const plain = plainEffect(effect);
  try {
    const definition = effectById(effect.id);
    return { label: definition.label, description: definition.describe(effect.params), ...plain };
  } catch {
    return { label: effect.id, description: effect.id, ...plain };
  }
};
