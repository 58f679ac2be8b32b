import { useEffect } from 'preact/hooks';
import type { BatchSettings } from '../components/BatchOptions.js';
import { type EffectChoices, prefill } from '../lib/batch-memory.js';

/**
 * "New batch from these settings": the job's count, intensity, name and effect choices fill the
 * form (which stays mounted, hidden, so it listens). The seed stays empty: the point is new variations.
 */
export function usePrefill(
  setSettings: (update: (before: BatchSettings) => BatchSettings) => void,
  setChoices: (choices: EffectChoices) => void,
): void {
  useEffect(
    () =>
      prefill.subscribe((job) => {
        if (!job) return;
        setSettings((before) => ({
          ...before,
          count: String(job.count),
          intensity: job.intensity,
          seed: '',
        }));
        setChoices({ name: job.name || null, exclude: job.exclude, protectText: job.protectText });
        prefill.set(null);
      }),
    [setSettings, setChoices],
  );
}
