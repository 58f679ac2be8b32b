import type { Intensity, JobView } from '../api/types.js';
import { EXCLUDABLE } from '../api/types.js';
import type { BatchSettings } from '../components/BatchOptions.js';
import { createStore } from './store.js';

/**
 * What New batch remembers between visits (count, intensity, effect choices, in localStorage) and
 * what "New batch from these settings" hands it from a job.
 */
export interface EffectChoices {
  /** null: the field was never edited, so it follows the first file's name and the day. */
  name: string | null;
  exclude: string[];
  protectText: boolean;
}

const KEY = 'vidvar.new-batch';
const INTENSITIES: readonly Intensity[] = ['subtle', 'medium', 'strong'];

interface Remembered {
  count: string;
  intensity: Intensity;
  exclude: string[];
  protectText: boolean;
}

function read(): Partial<Remembered> {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Remembered>;
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    // Storage blocked or a value from elsewhere: start from the defaults.
    return {};
  }
}

/** Only values this version understands survive: a stored effect that no longer exists is dropped. */
function knownExclusions(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((name): name is string => typeof name === 'string' && EXCLUDABLE.includes(name));
}

export function rememberedSettings(): BatchSettings {
  const stored = read();
  const count = Number(stored.count);
  return {
    count: Number.isInteger(count) && count >= 1 ? String(count) : '10',
    intensity: INTENSITIES.includes(stored.intensity as Intensity)
      ? (stored.intensity as Intensity)
      : 'medium',
    seed: '',
  };
}

export function rememberedChoices(): EffectChoices {
  const stored = read();
  return {
    name: null,
    exclude: knownExclusions(stored.exclude),
    protectText: stored.protectText !== false,
  };
}

/** After a batch was created: the next one starts from these. */
export function rememberSettings(settings: BatchSettings, choices: EffectChoices): void {
  const value: Remembered = {
    count: settings.count,
    intensity: settings.intensity,
    exclude: choices.exclude,
    protectText: choices.protectText,
  };
  try {
    localStorage.setItem(KEY, JSON.stringify(value));
  } catch {
    // Private mode or a full quota: the form just starts from its defaults next time.
  }
}

/** A job's settings on their way to New batch (which stays mounted, so it listens rather than reads). */
export const prefill = createStore<JobView | null>(null);
