import '../batch-settings.css';
import {
  EFFECT_CHOICES,
  EFFECT_FAMILIES,
  type EffectFamily,
  exclusionProblem,
  TEXT_UNSAFE_EFFECTS,
} from '../api/types.js';
import type { EffectChoices } from '../lib/batch-memory.js';

const FAMILY_LABELS: Record<EffectFamily, string> = {
  framing: 'Framing',
  colour: 'Colour',
  texture: 'Texture',
  timing: 'Timing',
  audio: 'Audio',
};

interface Props {
  value: EffectChoices;
  onChange: (next: EffectChoices) => void;
}

/** The choice in catalogue order, so the same boxes always give the same request. */
function withOut(exclude: string[], names: string[], out: boolean): string[] {
  const rest = exclude.filter((name) => !names.includes(name));
  return out ? [...rest, ...names] : rest;
}

/**
 * "Protect text and logos" (on unless switched off) and, folded away, every effect family and
 * effect as a box to leave out: what a batch may do to the picture and the sound.
 */
export function EffectsPanel({ value, onChange }: Props) {
  const problem = exclusionProblem(value.exclude);
  const leftOut = value.exclude.length;
  const setFamily = (family: EffectFamily, on: boolean) => {
    // A family box replaces the choices of its effects: off leaves the family out whole.
    const members = EFFECT_CHOICES[family].map((effect) => effect.id);
    onChange({ ...value, exclude: withOut(withOut(value.exclude, members, false), [family], !on) });
  };
  return (
    <div class="effects">
      <label class="check">
        <input
          type="checkbox"
          checked={value.protectText}
          onChange={(e) => onChange({ ...value, protectText: e.currentTarget.checked })}
          aria-describedby="protect-hint"
        />
        <span class="check__label">Protect text and logos</span>
      </label>
      <p id="protect-hint" class="field__hint check__hint">
        {value.protectText
          ? 'Never mirrors, and reframes only within 5 % of each edge, so words and logos stay whole and readable.'
          : 'Off: variations may be mirrored (text reads backwards) and reframed closer to the edges.'}
      </p>
      <details class="advanced effects__panel">
        <summary>
          Effects <span class="effects__count">{leftOut === 0 ? '· all on' : `· ${leftOut} left out`}</span>
        </summary>
        <p class="field__hint">
          Untick what these variations must never do. The seed repeats the same choice.
        </p>
        <div class="effects__families">
          {EFFECT_FAMILIES.map((family) => {
            const familyOff = value.exclude.includes(family);
            const id = `family-${family}`;
            return (
              <fieldset key={family} class="effects__family" aria-labelledby={`${id}-legend`}>
                <legend id={`${id}-legend`} class="effects__legend">
                  <label class="check">
                    <input
                      type="checkbox"
                      checked={!familyOff}
                      onChange={(e) => setFamily(family, e.currentTarget.checked)}
                    />
                    <span class="check__label">{FAMILY_LABELS[family]}</span>
                  </label>
                </legend>
                <ul class="effects__list">
                  {EFFECT_CHOICES[family].map((effect) => {
                    const locked = value.protectText && TEXT_UNSAFE_EFFECTS.includes(effect.id);
                    const on = !familyOff && !locked && !value.exclude.includes(effect.id);
                    return (
                      <li key={effect.id}>
                        <label class="check check--small">
                          <input
                            type="checkbox"
                            checked={on}
                            disabled={familyOff || locked}
                            aria-describedby={locked ? 'protect-hint' : undefined}
                            onChange={(e) =>
                              onChange({
                                ...value,
                                exclude: withOut(value.exclude, [effect.id], !e.currentTarget.checked),
                              })
                            }
                          />
                          <span class="check__label">
                            {effect.label}
                            {locked && <span class="muted small"> (off while text is protected)</span>}
                          </span>
                        </label>
                      </li>
                    );
                  })}
                </ul>
              </fieldset>
            );
          })}
        </div>
        {problem && (
          <p class="error-text" role="alert">
            {problem.charAt(0).toUpperCase() + problem.slice(1)}.
          </p>
        )}
      </details>
    </div>
  );
}
