import { batchNameProblem, MAX_BATCH_NAME_LENGTH } from '../api/types.js';
import type { EffectChoices } from '../lib/batch-memory.js';

interface Props {
  value: EffectChoices;
  onChange: (next: EffectChoices) => void;
  /** What the name is until someone types one: the first file's name and the day. */
  suggested: string;
}

/** The batch's name: shown in Jobs, searched there, and the name of its ZIP. */
export function BatchName({ value, onChange, suggested }: Props) {
  const shown = value.name ?? suggested;
  const problem = value.name === null || value.name === '' ? null : batchNameProblem(value.name);
  return (
    <label class="field">
      <span class="field__label">Batch name</span>
      <input
        type="text"
        name="batch-name"
        maxLength={MAX_BATCH_NAME_LENGTH}
        autoComplete="off"
        value={shown}
        placeholder="Name this batch"
        onInput={(e) => onChange({ ...value, name: e.currentTarget.value })}
        aria-invalid={problem ? true : undefined}
        aria-describedby="batch-name-hint"
      />
      <span id="batch-name-hint" class={problem ? 'error-text' : 'field__hint'}>
        {problem ? `The name ${problem}.` : 'Find the batch by it in Jobs; its ZIP is named after it.'}
      </span>
    </label>
  );
}

/** The name a request carries: the one typed, else the suggestion; none when both are empty. */
export function batchNameFor(value: EffectChoices, suggested: string): string | undefined {
  const name = (value.name ?? suggested).trim();
  return name.length > 0 ? name : undefined;
}
