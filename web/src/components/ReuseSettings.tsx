import type { JobView } from '../api/types.js';
import { EFFECT_CHOICES, EFFECT_FAMILIES } from '../api/types.js';
import { prefill } from '../lib/batch-memory.js';
import { navigate } from '../lib/route.js';

const LABELS = new Map<string, string>([
  ...EFFECT_FAMILIES.map((family) => [family, `all ${family}`] as [string, string]),
  ...EFFECT_FAMILIES.flatMap((family) =>
    EFFECT_CHOICES[family].map((effect) => [effect.id, effect.label.toLowerCase()] as [string, string]),
  ),
]);

/** "Text and logos protected · without pitch, all audio": the batch's effect choice in words. */
export function BatchChoicesLine({ job }: { job: JobView }) {
  const without = job.exclude.map((name) => LABELS.get(name) ?? name);
  return (
    <span class="batch-choices-line">
      {job.protectText ? 'Text and logos protected' : 'Text not protected'}
      {without.length > 0 && ` · without ${without.join(', ')}`}
    </span>
  );
}

/** Opens New batch with this batch's count, intensity, name and effect choices. */
export function ReuseSettingsButton({ job }: { job: JobView }) {
  return (
    <button
      type="button"
      class="button button--secondary"
      onClick={() => {
        prefill.set(job);
        navigate({ name: 'new' });
      }}
    >
      New batch from these settings
    </button>
  );
}
