/**
 * Which effects a batch may use, as a person chooses them: whole families or single effects left
 * out, and "Protect text and logos". Plain values with no imports, shared by the engine, the CLI,
 * the API and the web app; the catalogue test holds this list to the engine's catalogue.
 */

/** The families a person can include or exclude, in the order the app shows them. */
export const EFFECT_FAMILIES = ['framing', 'colour', 'texture', 'timing', 'audio'] as const;
export type EffectFamily = (typeof EFFECT_FAMILIES)[number];

/** Every effect of the catalogue by family, with the name the app shows. */
export const EFFECT_CHOICES: Record<EffectFamily, ReadonlyArray<{ id: string; label: string }>> = {
  framing: [
    { id: 'zoom', label: 'Zoom and reframe' },
    { id: 'tilt', label: 'Tilt' },
    { id: 'border', label: 'Frame border' },
    { id: 'mirror', label: 'Mirror' },
  ],
  colour: [
    { id: 'brightness', label: 'Brightness' },
    { id: 'contrast', label: 'Contrast' },
    { id: 'saturation', label: 'Saturation' },
    { id: 'gamma', label: 'Gamma' },
    { id: 'hue', label: 'Hue shift' },
    { id: 'temperature', label: 'Colour temperature' },
    { id: 'curves', label: 'Tone curve' },
  ],
  texture: [
    { id: 'vignette', label: 'Vignette' },
    { id: 'grain', label: 'Film grain' },
    { id: 'sharpen', label: 'Sharpen' },
    { id: 'soften', label: 'Soften' },
    { id: 'fade-in', label: 'Fade in' },
  ],
  timing: [
    { id: 'trim', label: 'Trim head and tail' },
    { id: 'speed', label: 'Speed' },
    { id: 'frame-rate', label: 'Frame rate' },
  ],
  audio: [
    { id: 'volume', label: 'Volume' },
    { id: 'pitch', label: 'Pitch' },
    { id: 'eq', label: 'Equaliser' },
    { id: 'noise-bed', label: 'Noise bed' },
  ],
};

/** Mirror reverses every word and logo on screen: off whenever text and logos are protected. */
export const TEXT_UNSAFE_EFFECTS: readonly string[] = ['mirror'];

/** The families that change the picture: vPDQ distinctness needs at least one of them. */
export const PICTURE_FAMILIES: readonly EffectFamily[] = ['framing', 'colour', 'texture'];

/** Every value `exclude` accepts: a family or an effect id. */
export const EXCLUDABLE: readonly string[] = EFFECT_FAMILIES.flatMap((family) => [
  family,
  ...EFFECT_CHOICES[family].map((effect) => effect.id),
]);

/** At most this many names in one `exclude`: every family and effect once. */
export const MAX_EXCLUSIONS = EXCLUDABLE.length;

export function familyOfEffect(id: string): EffectFamily | undefined {
  return EFFECT_FAMILIES.find((family) => EFFECT_CHOICES[family].some((effect) => effect.id === id));
}

/** The effect ids a batch may not use: excluded ones, those of excluded families, and mirror when protecting. */
export function excludedEffects(exclude: readonly string[], protectText: boolean): Set<string> {
  const out = new Set<string>();
  for (const name of exclude) {
    const family = EFFECT_FAMILIES.find((f) => f === name);
    if (family) for (const effect of EFFECT_CHOICES[family]) out.add(effect.id);
    else out.add(name);
  }
  if (protectText) for (const id of TEXT_UNSAFE_EFFECTS) out.add(id);
  return out;
}

/**
 * Why this exclusion list cannot be used, or null when it can: an unknown name (naming the allowed
 * values), or one that leaves no effect that changes the picture.
 */
export function exclusionProblem(exclude: readonly string[]): string | null {
  const unknown = exclude.filter((name) => !EXCLUDABLE.includes(name));
  if (unknown.length > 0) {
    return (
      `unknown effect or family ${unknown.map((n) => `"${n.slice(0, 40)}"`).join(', ')}; ` +
      `choose from ${EXCLUDABLE.join(', ')}`
    );
  }
  const off = excludedEffects(exclude, false);
  const pictureLeft = PICTURE_FAMILIES.some((family) =>
    EFFECT_CHOICES[family].some((effect) => !off.has(effect.id) && !TEXT_UNSAFE_EFFECTS.includes(effect.id)),
  );
  if (!pictureLeft) {
    return 'keep at least one framing, colour or texture effect: without one the variations would look the same';
  }
  return null;
}

/** The canonical form stored and shown: each name once, in catalogue order. */
export function normaliseExclusions(exclude: readonly string[]): string[] {
  return EXCLUDABLE.filter((name) => exclude.includes(name));
}
