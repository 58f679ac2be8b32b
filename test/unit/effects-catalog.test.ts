import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EFFECTS, effectById } from '../../src/media/effects/catalog.js';
import { withinSpec } from '../../src/media/effects/params.js';
import type { FilterContext, NumberSpec, ParamSpecs } from '../../src/media/effects/types.js';
import { createRandom } from '../../src/media/plan/random.js';
import { INTENSITIES } from '../../src/media/types.js';
import { fakeMedia } from '../support/fake-media.js';

const CTX: FilterContext = { width: 1080, height: 1920, fps: 30, durationSec: 15, sampleRate: 48_000 };
const SOURCES = [
  fakeMedia(),
  fakeMedia({ fps: 25, durationSec: 4 }),
  fakeMedia({ fps: 59.94, durationSec: 60 }),
  fakeMedia({ fps: 12 }),
];

/** Option names FFmpeg 5.1 knows for a filter, read from `ffmpeg -h filter=<name>`. */
const optionCache = new Map<string, Set<string>>();
function filterOptions(name: string): Set<string> {
  let options = optionCache.get(name);
  if (!options) {
    const help = execFileSync('ffmpeg', ['-hide_banner', '-h', `filter=${name}`], { encoding: 'utf8' });
    expect(help, `FFmpeg has no filter named ${name}`).toMatch(new RegExp(`^Filter ${name}\\b`, 'm'));
    options = new Set([...help.matchAll(/^ {3}(\S+)\s+</gm)].map((m) => m[1] as string));
    // The timeline's `enable` is an option of every filter that supports it, not listed per filter.
    if (/support for timeline/.test(help)) options.add('enable');
    optionCache.set(name, options);
  }
  return options;
}

/** Splits `a:b='c d:e'` on the colons outside quotes. */
function splitOptions(args: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of args) {
    if (ch === "'") quoted = !quoted;
    if (ch === ':' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  expect(quoted, `unbalanced quote in ${args}`).toBe(false);
  parts.push(current);
  return parts;
}

/** One filter of a chain: a known filter, known option names, nothing that would break the graph syntax. */
function expectParseableFilter(filter: string) {
  const match = /^([a-z0-9_]+)(?:=(.+))?$/s.exec(filter);
  expect(match, `not a filter: ${filter}`).not.toBeNull();
  const [, name, args] = match as RegExpExecArray;
  const known = filterOptions(name as string);
  if (!args) return;
  for (const option of splitOptions(args)) {
    expect(option.replace(/'[^']*'/g, ''), `graph syntax inside ${filter}`).not.toMatch(/[,;[\]\s]/);
    expect(option.length, `empty option in ${filter}`).toBeGreaterThan(0);
    const eq = option.indexOf('=');
    if (eq > 0)
      expect(known.has(option.slice(0, eq)), `${name} has no option ${option.slice(0, eq)}`).toBe(true);
  }
}

describe('effects catalogue', () => {
  it('offers at least 16 video effects, 4 audio effects and timing changes, with unique ids', () => {
    const ids = EFFECTS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(EFFECTS.filter((e) => e.kind === 'video').length).toBeGreaterThanOrEqual(16);
    expect(EFFECTS.filter((e) => e.kind === 'audio').length).toBeGreaterThanOrEqual(4);
    expect(EFFECTS.filter((e) => e.kind === 'timing').map((e) => e.id)).toEqual([
      'trim',
      'speed',
      'frame-rate',
    ]);
    for (const e of EFFECTS) expect(effectById(e.id)).toBe(e);
    expect(() => effectById('no-such-effect')).toThrow(/unknown effect/);
  });

  it('samples every effect within its declared ranges at each intensity, rounded exactly', () => {
    for (const effect of EFFECTS) {
      for (const intensity of INTENSITIES) {
        for (const source of SOURCES.filter((m) => effect.available?.(m) ?? true)) {
          const specs = effect.ranges(intensity, source);
          const rng = createRandom(`${effect.id}/${intensity}/${source.video.fps}`);
          for (let i = 0; i < 150; i++) {
            const params = effect.sample(rng, intensity, source);
            expect(Object.keys(params).sort()).toEqual(Object.keys(specs).sort());
            for (const [key, value] of Object.entries(params)) {
              const spec = specs[key];
              expect(spec && withinSpec(value, spec), `${effect.id}.${key}=${value} at ${intensity}`).toBe(
                true,
              );
            }
          }
        }
      }
    }
  });

  it('gets stronger from subtle to strong: no numeric range shrinks as intensity rises', () => {
    for (const effect of EFFECTS) {
      const [subtle, medium, strong] = INTENSITIES.map((i) => effect.ranges(i, fakeMedia())) as ParamSpecs[];
      const maxOf = (specs: ParamSpecs, key: string) => (specs[key] as NumberSpec).max;
      for (const [key, spec] of Object.entries(subtle as ParamSpecs)) {
        // Offsets and the white point are not strengths.
        if (spec.type !== 'number' || key === 'x' || key === 'y' || key === 'white') continue;
        expect(maxOf(medium as ParamSpecs, key), `${effect.id}.${key}`).toBeGreaterThanOrEqual(spec.max);
        expect(maxOf(strong as ParamSpecs, key), `${effect.id}.${key}`).toBeGreaterThanOrEqual(
          maxOf(medium as ParamSpecs, key),
        );
      }
    }
  });

  it('turns every sample into filters FFmpeg can parse, and describes it in words', () => {
    for (const effect of EFFECTS) {
      for (const intensity of INTENSITIES) {
        const rng = createRandom(`filters/${effect.id}/${intensity}`);
        for (let i = 0; i < 20; i++) {
          const params = effect.sample(rng, intensity, fakeMedia());
          const filters = [
            ...(effect.videoFilters?.(params, CTX) ?? []),
            ...(effect.audioFilters?.(params, CTX) ?? []),
            ...(effect.audioSource?.(params, CTX).split(',') ?? []),
          ];
          for (const filter of filters) expectParseableFilter(filter);
          expect(effect.describe(params).length).toBeGreaterThan(3);
        }
        const contributes =
          effect.videoFilters || effect.audioFilters || effect.audioSource || effect.outputFps;
        expect(contributes, `${effect.id} changes nothing`).toBeTruthy();
      }
    }
  });

  it('keeps every geometry effect at the output size, with even crop and pad sizes', () => {
    const rng = createRandom('geometry');
    for (const id of ['zoom', 'tilt', 'border']) {
      for (let i = 0; i < 50; i++) {
        const filters =
          effectById(id).videoFilters?.(effectById(id).sample(rng, 'strong', fakeMedia()), CTX) ?? [];
        const last = filters[filters.length - 1] as string;
        expect(last).toMatch(/^(scale=1080:1920|perspective=.*|pad=1080:1920:\d+:\d+:.+)$/);
        for (const size of filters.join(',').matchAll(/(?:crop|scale)=(\d+):(\d+)/g)) {
          expect(Number(size[1]) % 2).toBe(0);
          expect(Number(size[2]) % 2).toBe(0);
        }
      }
    }
  });

  it('only offers effects that fit the source', () => {
    const silent = fakeMedia({ audioIndex: null });
    for (const e of EFFECTS.filter((x) => x.kind === 'audio')) expect(e.available?.(silent)).toBe(false);
    expect(effectById('trim').available?.(fakeMedia({ durationSec: 0.5 }))).toBe(false);
    expect(effectById('frame-rate').ranges('medium', fakeMedia({ fps: 30 })).fps).toEqual({
      type: 'choice',
      values: [24, 25],
    });
    const fromTwelve = effectById('frame-rate').ranges('medium', fakeMedia({ fps: 12 })).fps;
    expect(fromTwelve).toEqual({ type: 'choice', values: [10.8, 13.2] });
  });
});
