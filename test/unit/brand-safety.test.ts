import { describe, expect, it } from 'vitest';
import {
  EFFECT_CHOICES,
  EFFECT_FAMILIES,
  EXCLUDABLE,
  excludedEffects,
  exclusionProblem,
  familyOfEffect,
} from '../../src/media/effect-choice.js';
import { EFFECTS, effectById } from '../../src/media/effects/catalog.js';
import {
  MAX_SAFE_ZOOM,
  maxSafeTilt,
  TEXT_SAFE_MARGIN,
  tiltKeepsSafeArea,
  zoomKeepsSafeArea,
} from '../../src/media/effects/safe-area.js';
import { type JobPlanRequest, planJob, redrawPlanner } from '../../src/media/plan/planner.js';
import { INTENSITIES, type MediaInfo, type VariationPlan } from '../../src/media/types.js';
import { fakeMedia } from '../support/fake-media.js';

const PORTRAIT = fakeMedia();
const LANDSCAPE = fakeMedia({ width: 1920, height: 1080 });
const SQUARE = fakeMedia({ width: 1080, height: 1080 });
const WIDE = fakeMedia({ width: 2560, height: 1080 });

const plan = (o: Partial<JobPlanRequest> & { seed: string }) =>
  planJob({ intensity: 'strong', count: 50, sources: [PORTRAIT], preset: 'veryfast', ...o }).flat();
const ids = (plans: VariationPlan[]) => new Set(plans.flatMap((p) => p.effects.map((e) => e.id)));

/** True when every reframing of the plan keeps the text-safe area of this source whole. */
function keepsSafeArea(p: VariationPlan, media: MediaInfo): boolean {
  return p.effects.every((e) => {
    if (e.id === 'mirror') return false;
    if (e.id === 'zoom')
      return zoomKeepsSafeArea(e.params.zoom as number, e.params.x as number, e.params.y as number);
    if (e.id === 'tilt')
      return tiltKeepsSafeArea(e.params.degrees as number, media.video.width, media.video.height);
    return true;
  });
}

describe('the effect choices people see', () => {
  it('name every effect of the catalogue once, in its family (mirror shown under framing)', () => {
    const listed = EFFECT_FAMILIES.flatMap((f) => EFFECT_CHOICES[f].map((e) => e.id));
    expect([...listed].sort()).toEqual(EFFECTS.map((e) => e.id).sort());
    for (const effect of EFFECTS) {
      const family = effect.family === 'orientation' ? 'framing' : effect.family;
      expect(familyOfEffect(effect.id), effect.id).toBe(family);
      expect(EFFECT_CHOICES[family as 'framing'].find((e) => e.id === effect.id)?.label).toBe(effect.label);
    }
  });

  it('refuses unknown names, naming the allowed values, and a choice that leaves the picture unchanged', () => {
    expect(exclusionProblem(['mirror', 'pitch', 'audio'])).toBeNull();
    const unknown = exclusionProblem(['mirror', 'flip']);
    expect(unknown).toContain('"flip"');
    for (const name of EXCLUDABLE) expect(unknown).toContain(name);
    expect(exclusionProblem(['framing', 'colour', 'texture'])).toMatch(
      /at least one framing, colour or texture/,
    );
    expect(exclusionProblem(['zoom', 'tilt', 'border', 'colour', 'texture'])).toMatch(/at least one/);
  });

  it('turns families into their effects, and protection into "no mirror"', () => {
    expect([...excludedEffects(['audio', 'speed'], false)].sort()).toEqual([
      'eq',
      'noise-bed',
      'pitch',
      'speed',
      'volume',
    ]);
    expect([...excludedEffects([], true)]).toEqual(['mirror']);
    expect(excludedEffects([], false).size).toBe(0);
  });
});

describe('Protect text and logos', () => {
  it('keeps a margin with a reason, which allows a zoom of at most 1.11 centred', () => {
    expect(TEXT_SAFE_MARGIN.fraction).toBe(0.05);
    expect(TEXT_SAFE_MARGIN.reason).toMatch(/EBU R 95/);
    expect(MAX_SAFE_ZOOM).toBeCloseTo(1.111, 3);
    expect(zoomKeepsSafeArea(1.2, 0.5, 0.5)).toBe(false);
    expect(zoomKeepsSafeArea(1.1, 0.5, 0.5)).toBe(true);
    expect(zoomKeepsSafeArea(1.1, 0, 0.5)).toBe(false);
    expect(maxSafeTilt(1080, 1920)).toBeGreaterThan(1);
    expect(maxSafeTilt(1080, 1920)).toBeLessThan(2.5);
    expect(tiltKeepsSafeArea(2.5, 1080, 1920)).toBe(false);
  });

  it.each(INTENSITIES)(
    'is on by default at %s: no mirror, every reframing inside the safe margin, every output distinct',
    (intensity) => {
      for (const media of [PORTRAIT, LANDSCAPE, SQUARE, WIDE]) {
        const plans = plan({ seed: `safe-${intensity}`, intensity, sources: [media] });
        expect(ids(plans).has('mirror')).toBe(false);
        for (const p of plans) expect(keepsSafeArea(p, media), p.signature).toBe(true);
        expect(new Set(plans.map((p) => p.signature)).size).toBe(50);
        // Still a change of framing in (almost) every output: protection narrows reframing, not removes it.
        expect(
          plans.filter((p) => p.effects.some((e) => ['zoom', 'tilt', 'border'].includes(e.id))).length,
        ).toBe(50);
      }
    },
  );

  it('places a protected border anywhere in its free space, with the whole picture in the frame', () => {
    const ctx = { width: 1080, height: 1920, fps: 30, durationSec: 15, sampleRate: 48_000 };
    const borders = plan({ seed: 'borders', intensity: 'strong' }).flatMap((p) =>
      p.effects.filter((e) => e.id === 'border'),
    );
    expect(borders.length).toBeGreaterThan(10);
    for (const border of borders) {
      const [scale, pad] = effectById('border').videoFilters?.(border.params, ctx) ?? [];
      const [w, h] = (scale ?? '').replace('scale=', '').split(':').map(Number) as [number, number];
      const [, , x, y] = (pad ?? '').replace('pad=', '').split(':').map(Number) as number[];
      expect(x).toBeGreaterThanOrEqual(0);
      expect((x ?? 0) + w).toBeLessThanOrEqual(1080);
      expect(y).toBeGreaterThanOrEqual(0);
      expect((y ?? 0) + h).toBeLessThanOrEqual(1920);
    }
    expect(new Set(borders.map((b) => b.params.x)).size).toBeGreaterThan(5);
  });

  it('when switched off, mirrors some outputs and reframes beyond the margin, as before', () => {
    const plans = plan({ seed: 'unsafe', protectText: false });
    expect(ids(plans).has('mirror')).toBe(true);
    expect(plans.some((p) => !keepsSafeArea(p, PORTRAIT))).toBe(true);
  });

  it('keeps its protection in a redraw after vPDQ matched an output', () => {
    const [first] = plan({ seed: 'redraw', intensity: 'strong' });
    const redraw = redrawPlanner({
      seed: 'redraw',
      intensity: 'strong',
      preset: 'veryfast',
      media: PORTRAIT,
      sourceIndex: 0,
    });
    for (let n = 1; n <= 30; n++)
      expect(keepsSafeArea(redraw(first as VariationPlan, `redraw-${n}`), PORTRAIT)).toBe(true);
  });
});

describe('exclusions', () => {
  it('are honoured: no effect of an excluded family or an excluded effect, in plans and redraws', () => {
    const exclude = ['colour', 'pitch', 'zoom'];
    const plans = plan({ seed: 'excl', exclude });
    const used = ids(plans);
    for (const id of ['pitch', 'zoom', ...EFFECT_CHOICES.colour.map((e) => e.id)])
      expect(used.has(id), id).toBe(false);
    expect(used.has('tilt') && used.has('volume')).toBe(true);
    const redraw = redrawPlanner({
      seed: 'excl',
      intensity: 'strong',
      preset: 'veryfast',
      media: PORTRAIT,
      sourceIndex: 0,
      exclude,
    });
    const again = Array.from({ length: 20 }, (_, n) => redraw(plans[0] as VariationPlan, `redraw-${n + 1}`));
    expect(
      [...ids(again)].filter((id) => id === 'pitch' || id === 'zoom' || effectById(id).family === 'colour'),
    ).toEqual([]);
  });

  it('are reproduced by the seed: the same seed and exclusions give the same plans, other exclusions others', () => {
    const request = { seed: 'repeat', exclude: ['audio', 'tilt'], sources: [PORTRAIT, LANDSCAPE], count: 10 };
    expect(plan(request)).toEqual(plan(request));
    expect(plan({ ...request, exclude: ['audio'] })).not.toEqual(plan(request));
    expect(plan({ ...request, protectText: false })).not.toEqual(plan(request));
  });

  it('draw exactly as before when nothing is excluded and protection is off (old jobs redraw the same)', () => {
    const before = planJob({
      seed: 'old',
      intensity: 'medium',
      count: 20,
      sources: [PORTRAIT],
      preset: 'veryfast',
      protectText: false,
    });
    const explicit = planJob({
      seed: 'old',
      intensity: 'medium',
      count: 20,
      sources: [PORTRAIT],
      preset: 'veryfast',
      protectText: false,
      exclude: [],
    });
    expect(explicit).toEqual(before);
    expect(ids(before.flat()).has('mirror')).toBe(true);
  });
});
