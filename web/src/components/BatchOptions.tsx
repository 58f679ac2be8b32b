import type { Intensity } from '../api/types.js';
import { MAX_OUTPUTS_PER_SOURCE } from '../api/types.js';

export interface BatchSettings {
  /** Raw text of the count field; validated on submit. */
  count: string;
  intensity: Intensity;
  seed: string;
}

const INTENSITIES: Array<{ value: Intensity; label: string; hint: string }> = [
  { value: 'subtle', label: 'Subtle', hint: 'Small shifts, same look' },
  { value: 'medium', label: 'Medium', hint: 'Clearly different, same ad' },
  { value: 'strong', label: 'Strong', hint: 'Bold reframes and colours' },
];

interface Props {
  value: BatchSettings;
  onChange: (next: BatchSettings) => void;
  countError: string | null;
}

/** How many variations, how different, and (advanced) the seed that makes a batch repeatable. */
export function BatchOptions({ value, onChange, countError }: Props) {
  return (
    <div class="options">
      <label class="field">
        <span class="field__label">Variations per video</span>
        <input
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_OUTPUTS_PER_SOURCE}
          step={1}
          required
          value={value.count}
          onInput={(e) => onChange({ ...value, count: e.currentTarget.value })}
          aria-invalid={countError ? true : undefined}
          aria-describedby="count-hint"
        />
        <span id="count-hint" class={countError ? 'error-text' : 'field__hint'}>
          {countError ?? `From 1 to ${MAX_OUTPUTS_PER_SOURCE}.`}
        </span>
      </label>

      <fieldset class="field segmented">
        <legend class="field__label">Intensity</legend>
        <div class="segmented__options">
          {INTENSITIES.map((option) => (
            <label key={option.value} class="segmented__option">
              <input
                type="radio"
                name="intensity"
                value={option.value}
                checked={value.intensity === option.value}
                onChange={() => onChange({ ...value, intensity: option.value })}
              />
              <span class="segmented__label">{option.label}</span>
              <span class="segmented__hint">{option.hint}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <details class="advanced">
        <summary>Advanced</summary>
        <label class="field">
          <span class="field__label">Seed</span>
          <input
            type="text"
            maxLength={64}
            autoComplete="off"
            spellcheck={false}
            value={value.seed}
            onInput={(e) => onChange({ ...value, seed: e.currentTarget.value })}
            aria-describedby="seed-hint"
          />
          <span id="seed-hint" class="field__hint">
            Same videos with the same seed give the same variations. Leave empty for a fresh mix.
          </span>
        </label>
      </details>
    </div>
  );
}
