import { excludedEffects } from '../effect-choice.js';
import { EFFECTS, effectById, effectOrder } from '../effects/catalog.js';
import type { EffectDefinition } from '../effects/types.js';
import type { Intensity, MediaInfo, PlannedEffect, VariationPlan } from '../types.js';
import { planEncodeSettings } from './encode-settings.js';
import { outputFps } from './output-format.js';
import { createRandom, type Random } from './random.js';

export interface JobPlanRequest {
  seed: string;
  intensity: Intensity;
  /** Outputs per source. */
  count: number;
  sources: MediaInfo[];
  /** x264 preset every output is encoded with. */
  preset: string;
  /** Families and effects left out (effect-choice.ts); none when absent. */
  exclude?: readonly string[];
  /** "Protect text and logos": no mirror, reframing within the safe margin. On when absent. */
  protectText?: boolean;
}

/** What a plan may use: recorded with the job, so the same seed and choice give the same plans. */
export interface EffectChoice {
  exclude: readonly string[];
  protectText: boolean;
}

function choiceOf(req: Pick<JobPlanRequest, 'exclude' | 'protectText'>): EffectChoice {
  return { exclude: req.exclude ?? [], protectText: req.protectText ?? true };
}

type Count = [min: number, max: number];

/**
 * How many effects of each family one output gets. Every output changes its framing (so outputs
 * differ structurally, not just in tint); stronger intensities add more and stronger effects.
 */
const COMPOSITION: Record<
  Intensity,
  { mirror: number; colour: Count; texture: Count; timing: Count; audio: Count }
> = {
  subtle: { mirror: 0.15, colour: [1, 2], texture: [0, 1], timing: [1, 1], audio: [1, 1] },
  medium: { mirror: 0.25, colour: [2, 3], texture: [1, 1], timing: [1, 2], audio: [1, 2] },
  strong: { mirror: 0.35, colour: [3, 4], texture: [1, 2], timing: [2, 3], audio: [2, 3] },
};

/** Collisions are vanishingly rare with continuous parameters; this only bounds a pathological catalogue. */
const MAX_ATTEMPTS = 1000;

/**
 * Plans every output of a job: one array per source, outputs indexed 1..count. The same request
 * always yields deep-equal plans; no two outputs of the job share a signature.
 */
export function planJob(req: JobPlanRequest): VariationPlan[][] {
  if (!Number.isInteger(req.count) || req.count < 1) throw new RangeError(`count must be a positive integer`);
  const root = createRandom(req.seed);
  const signatures = new Set<string>();
  return req.sources.map((media, s) => {
    const plans: VariationPlan[] = [];
    for (let index = 1; index <= req.count; index++) {
      const outputRng = root.fork(`source:${s}`).fork(`output:${index}`);
      let attempt = 0;
      const base = { intensity: req.intensity, media, index, preset: req.preset, choice: choiceOf(req) };
      let plan = planVariation({ ...base, rng: outputRng });
      // Resampling from a labelled fork keeps the retry deterministic.
      while (signatures.has(plan.signature)) {
        attempt += 1;
        if (attempt > MAX_ATTEMPTS) throw new Error('could not plan a distinct variation');
        const rng = outputRng.fork(`retry:${attempt}`);
        plan = planVariation({ ...base, rng });
      }
      signatures.add(plan.signature);
      plans.push(plan);
    }
    return plans;
  });
}

/**
 * How a source's outputs are planned again after vPDQ matched one to its source or a sibling: from
 * the output's own fork of the seed under a label (`redraw-1`, `redraw-2`…), so a redraw is as
 * reproducible as the plan it replaces and touches no other output.
 */
export function redrawPlanner(
  req: Omit<JobPlanRequest, 'count' | 'sources'> & { media: MediaInfo; sourceIndex: number },
): (plan: VariationPlan, label: string) => VariationPlan {
  const sourceRng = createRandom(req.seed).fork(`source:${req.sourceIndex}`);
  return (plan, label) =>
    planVariation({
      rng: sourceRng.fork(`output:${plan.index}`).fork(label),
      intensity: req.intensity,
      media: req.media,
      index: plan.index,
      preset: req.preset,
      choice: choiceOf(req),
    });
}

export interface VariationRequest {
  rng: Random;
  intensity: Intensity;
  media: MediaInfo;
  index: number;
  preset: string;
  choice: EffectChoice;
}

/** One output's effects, parameters and encode settings, drawn from `rng`. */
export function planVariation(req: VariationRequest): VariationPlan {
  const { rng, intensity, media, choice } = req;
  const mix = COMPOSITION[intensity];
  const off = excludedEffects(choice.exclude, choice.protectText);
  const pool = (family: string) =>
    candidates(family, intensity, media).filter(
      (e) => !off.has(e.id) && !(choice.protectText && e.protectedRanges?.(intensity, media) === null),
    );
  // Nothing left out and protection off draws exactly as before there was a choice: old jobs redraw the same.
  const chosen = [...pickEffects(rng, pool('framing'), 1, intensity, choice.protectText)];
  if (rng.chance(mix.mirror)) chosen.push(...pool('orientation'));
  for (const family of ['colour', 'texture', 'timing', 'audio'] as const) {
    const count = rng.int(...mix[family]);
    chosen.push(...pickEffects(rng, pool(family), count, intensity));
  }
  const effects: PlannedEffect[] = chosen
    .sort((a, b) => effectOrder(a.id) - effectOrder(b.id))
    .map((effect) => ({
      id: effect.id,
      params: effect.sample(rng.fork(`effect:${effect.id}`), intensity, media, choice.protectText),
    }));
  const encode = planEncodeSettings(rng.fork('encode'), intensity, variationFps(media, effects), req.preset);
  return { index: req.index, intensity, effects, encode, signature: planSignature(effects) };
}

function weightOf(effect: EffectDefinition, intensity: Intensity, protect = false): number {
  return effect.weight ? effect.weight(intensity, protect) : 1;
}

function candidates(family: string, intensity: Intensity, media: MediaInfo): EffectDefinition[] {
  return EFFECTS.filter(
    (e) => e.family === family && weightOf(e, intensity) > 0 && (e.available ? e.available(media) : true),
  );
}

/** Weighted draw without replacement; picking an effect removes everything in its conflict group. */
function pickEffects(
  rng: Random,
  pool: EffectDefinition[],
  count: number,
  intensity: Intensity,
  protect = false,
) {
  const picked: EffectDefinition[] = [];
  let remaining = pool;
  while (picked.length < count && remaining.length > 0) {
    const total = remaining.reduce((sum, e) => sum + weightOf(e, intensity, protect), 0);
    let ticket = rng.next() * total;
    const choice =
      remaining.find((e) => {
        ticket -= weightOf(e, intensity, protect);
        return ticket < 0;
      }) ?? (remaining[remaining.length - 1] as EffectDefinition);
    picked.push(choice);
    remaining = remaining.filter(
      (e) => e !== choice && (choice.group === undefined || e.group !== choice.group),
    );
  }
  return picked;
}

/** Canonical text of effect ids and parameters (keys sorted): equal signatures mean equal pictures. */
export function planSignature(effects: readonly PlannedEffect[]): string {
  return effects
    .map((e) => {
      const params = Object.keys(e.params)
        .sort()
        .map((key) => `${key}=${e.params[key]}`);
      return params.length > 0 ? `${e.id}(${params.join(',')})` : e.id;
    })
    .join('+');
}

/** Frame rate of the output: a frame-rate effect's choice, else the source rate within bounds. */
export function variationFps(media: MediaInfo, effects: readonly PlannedEffect[]): number {
  let fps = outputFps(media);
  for (const e of effects) fps = effectById(e.id).outputFps?.(e.params) ?? fps;
  return fps;
}

/** Duration of the output in seconds, after trims and speed changes. */
export function expectedDuration(media: MediaInfo, plan: VariationPlan): number {
  let duration = media.durationSec;
  for (const e of plan.effects) duration = effectById(e.id).retime?.(e.params, duration) ?? duration;
  return Math.round(duration * 1000) / 1000;
}
