import type { EffectView } from '../api/types.js';

/** Families in the order a person looks at a video: the picture, then time, then sound. */
const FAMILIES: ReadonlyArray<[string, string]> = [
  ['framing', 'Framing'],
  ['colour', 'Colour'],
  ['texture', 'Texture'],
  ['timing', 'Timing'],
  ['audio', 'Sound'],
];

function grouped(
  effects: readonly EffectView[],
): Array<{ family: string; title: string; effects: EffectView[] }> {
  const known = new Set(FAMILIES.map(([family]) => family));
  const groups = [...FAMILIES, ['other', 'Other'] as [string, string]].map(([family, title]) => ({
    family,
    title,
    effects: effects.filter((e) => (known.has(e.family) ? e.family === family : family === 'other')),
  }));
  return groups.filter((group) => group.effects.length > 0);
}

const paramText = (params: EffectView['params']) =>
  Object.entries(params)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');

/**
 * What changed in one variation: plain words grouped by family ("Colour: Warmer · Richer colours"),
 * and the exact parameters one click away, as the manifest has them.
 */
export function OutputChips({ name, effects }: { name: string; effects: readonly EffectView[] }) {
  if (effects.length === 0) return null;
  return (
    <div class="changes">
      <ul class="changes__groups" aria-label={`What changed in ${name}`}>
        {grouped(effects).map((group) => (
          <li key={group.family} class="changes__group">
            <span class="changes__family">{group.title}</span>
            <span class="changes__chips">
              {group.effects.map((effect) => (
                <span key={effect.id} class="chip">
                  {effect.plain}
                </span>
              ))}
            </span>
          </li>
        ))}
      </ul>
      <details class="changes__exact">
        <summary class="changes__toggle">
          Exact settings<span class="visually-hidden"> of {name}</span>
        </summary>
        <ul>
          {effects.map((effect) => (
            <li key={effect.id}>
              <strong>{effect.label}</strong>: {effect.description}
              {Object.keys(effect.params).length > 0 && (
                <code class="changes__params">{paramText(effect.params)}</code>
              )}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
