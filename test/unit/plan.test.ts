import { describe, expect, it } from 'vitest';
import { effectById, effectOrder } from '../../src/media/effects/catalog.js';
import { withinSpec } from '../../src/media/effects/params.js';
import { expectedDuration, planJob, planSignature, variationFps } from '../../src/media/plan/planner.js';
import {
  INTENSITIES,
  type Intensity,
  type PlannedEffect,
  type VariationPlan,
} from '../../src/media/types.js';
import { fakeMedia } from '../support/fake-media.js';

const job = (intensity: Intensity, seed = 'spring-sale', count = 50, sources = [fakeMedia()]) =>
  planJob({ seed, intensity, count, sources, preset: 'veryfast' });

const ids = (plan: VariationPlan) => plan.effects.map((e) => e.id);
const FRAMING = ['zoom', 'tilt', 'border'];

describe('planJob', () => {
  it('plans the same job identically every time, and a different seed differently', () => {
    const sources = [fakeMedia(), fakeMedia({ fps: 25, audioIndex: null })];
    const first = job('medium', 'seed-1', 5, sources);
    expect(job('medium', 'seed-1', 5, sources)).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    const other = job('medium', 'seed-2', 5, sources);
    expect(other.flat().map((p) => p.signature)).not.toEqual(first.flat().map((p) => p.signature));
  });

  it('returns one list per source, indexed 1..count, at the requested intensity and preset', () => {
    const plans = job('subtle', 'x', 4, [fakeMedia(), fakeMedia(), fakeMedia({ audioIndex: null })]);
    expect(plans).toHaveLength(3);
    for (const list of plans) {
      expect(list.map((p) => p.index)).toEqual([1, 2, 3, 4]);
      for (const p of list) {
        expect(p.intensity).toBe('subtle');
        expect(p.encode.preset).toBe('veryfast');
      }
    }
  });

  it.each(INTENSITIES)('never repeats a signature among 50 outputs at %s', (intensity) => {
    const plans = job(intensity);
    const signatures = plans.flat().map((p) => p.signature);
    expect(new Set(signatures).size).toBe(50);
    for (const p of plans.flat()) expect(p.signature).toBe(planSignature(p.effects));
  });

  it('keeps signatures unique across sources of one job, even for the same file twice', () => {
    const plans = job('subtle', 'twice', 25, [fakeMedia(), fakeMedia()]);
    expect(new Set(plans.flat().map((p) => p.signature)).size).toBe(50);
  });

  it('changes the framing of every output, with exactly one geometry effect', () => {
    for (const intensity of INTENSITIES) {
      for (const plan of job(intensity).flat()) {
        expect(ids(plan).filter((id) => FRAMING.includes(id))).toHaveLength(1);
      }
    }
  });

  it('never combines conflicting effects and keeps the catalogue order', () => {
    for (const plan of INTENSITIES.flatMap((i) => job(i, 'conflicts', 50).flat())) {
      const list = ids(plan);
      expect(new Set(list).size).toBe(list.length);
      expect(list.includes('sharpen') && list.includes('soften')).toBe(false);
      const groups = list.map((id) => effectById(id).group).filter(Boolean);
      expect(new Set(groups).size).toBe(groups.length);
      const positions = list.map(effectOrder);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });

  it.each([true, false])(
    'stores parameters exactly within the ranges of their intensity (protect text: %s)',
    (protectText) => {
      const source = fakeMedia();
      for (const intensity of INTENSITIES) {
        const plans = planJob({
          seed: 'ranges',
          intensity,
          count: 50,
          sources: [source],
          preset: 'veryfast',
          protectText,
        });
        for (const plan of plans.flat()) {
          for (const e of plan.effects) {
            const effect = effectById(e.id);
            const specs =
              (protectText ? effect.protectedRanges?.(intensity, source) : null) ??
              effect.ranges(intensity, source);
            for (const [key, value] of Object.entries(e.params)) {
              expect(withinSpec(value, specs[key] as never), `${e.id}.${key}`).toBe(true);
            }
          }
        }
      }
    },
  );

  it('does more at strong than at subtle: more effects, more timing and audio changes, tilt only above subtle', () => {
    const average = (intensity: Intensity, family?: string) => {
      const plans = job(intensity, 'amount').flat();
      const count = (p: VariationPlan) =>
        p.effects.filter((e) => family === undefined || effectById(e.id).family === family).length;
      return plans.reduce((sum, p) => sum + count(p), 0) / plans.length;
    };
    expect(average('strong')).toBeGreaterThan(average('medium'));
    expect(average('medium')).toBeGreaterThan(average('subtle'));
    expect(average('strong', 'colour')).toBeGreaterThan(average('subtle', 'colour'));
    expect(average('strong', 'timing')).toBeGreaterThan(average('subtle', 'timing'));
    expect(average('strong', 'audio')).toBeGreaterThan(average('subtle', 'audio'));
    expect(
      job('subtle', 'tilt', 50)
        .flat()
        .some((p) => ids(p).includes('tilt')),
    ).toBe(false);
    expect(
      job('strong', 'tilt', 50)
        .flat()
        .some((p) => ids(p).includes('tilt')),
    ).toBe(true);
  });

  it('uses only effects that fit the source: no audio effects for a silent clip, no trims on a tiny one', () => {
    const silent = job('strong', 'silent', 30, [fakeMedia({ audioIndex: null })]).flat();
    for (const plan of silent)
      expect(plan.effects.some((e) => effectById(e.id).kind === 'audio')).toBe(false);
    const tiny = job('strong', 'tiny', 30, [fakeMedia({ durationSec: 0.5 })]).flat();
    for (const plan of tiny) expect(ids(plan)).not.toContain('trim');
  });

  it('varies the encode within bounds, with the keyframe interval in whole output frames', () => {
    const plans = job('strong', 'encode').flat();
    const crfs = new Set(plans.map((p) => p.encode.crf));
    expect(crfs.size).toBeGreaterThan(2);
    for (const p of plans) {
      expect(p.encode.crf).toBeGreaterThanOrEqual(20);
      expect(p.encode.crf).toBeLessThanOrEqual(25);
      const fps = variationFps(fakeMedia(), p.effects);
      const seconds = p.encode.gop / fps;
      expect(Number.isInteger(p.encode.gop)).toBe(true);
      expect(seconds).toBeGreaterThanOrEqual(0.95);
      expect(seconds).toBeLessThanOrEqual(4.05);
    }
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => job('subtle', 'x', 0)).toThrow(RangeError);
    expect(() => job('subtle', 'x', 1.5)).toThrow(RangeError);
  });
});

describe('expectedDuration', () => {
  const plan = (effects: VariationPlan['effects']): VariationPlan => ({
    index: 1,
    intensity: 'medium',
    effects,
    encode: { crf: 22, gop: 60, preset: 'ultrafast', x264Params: 'cabac=1:deblock=1', audioBitrateK: 128 },
    signature: planSignature(effects),
  });

  it('is the source duration when nothing retimes', () => {
    expect(
      expectedDuration(fakeMedia({ durationSec: 12.5 }), plan([{ id: 'hue', params: { degrees: 4 } }])),
    ).toBe(12.5);
  });

  it('removes trimmed seconds first, then applies the speed factor', () => {
    const effects: PlannedEffect[] = [
      { id: 'trim', params: { head: 0.1, tail: 0.2 } },
      { id: 'speed', params: { factor: 1.05 } },
    ];
    expect(expectedDuration(fakeMedia({ durationSec: 10 }), plan(effects))).toBe(
      Math.round((9.7 / 1.05) * 1000) / 1000,
    );
    const slower = [{ id: 'speed', params: { factor: 0.95 } }];
    expect(expectedDuration(fakeMedia({ durationSec: 10 }), plan(slower))).toBe(10.526);
  });

  it('matches the planner: every planned output has a positive expected duration near the source', () => {
    for (const p of job('strong', 'durations').flat()) {
      const d = expectedDuration(fakeMedia(), p);
      expect(d).toBeGreaterThan(15 * 0.85);
      expect(d).toBeLessThan(15 * 1.15);
    }
  });
});
