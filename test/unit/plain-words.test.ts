import { describe, expect, it } from 'vitest';
import { plainEffect } from '../../src/http/plain-effects.js';
import { plainFailure } from '../../src/http/plain-failure.js';
import { csvField, csvRow, variationsCsv } from '../../src/http/variations-csv.js';
import type { OutputRecord } from '../../src/jobs/types.js';
import { EFFECTS } from '../../src/media/effects/catalog.js';
import { createRandom } from '../../src/media/plan/random.js';
import type { MediaInfo } from '../../src/media/types.js';
import { parseCsv } from '../support/csv.js';

const plain = (id: string, params: Record<string, number | string> = {}) => plainEffect({ id, params });

describe('plain words for what changed', () => {
  it('says each change as a marketer would, grouped by family', () => {
    expect(plain('zoom', { zoom: 1.124, x: 0.9, y: 0.1 })).toEqual({
      family: 'framing',
      plain: 'Zoom 112%, towards top right',
    });
    expect(plain('zoom', { zoom: 1.05, x: 0.5, y: 0.5 }).plain).toBe('Zoom 105%, centred');
    expect(plain('zoom', { zoom: 1.05, x: 0.1, y: 0.5 }).plain).toBe('Zoom 105%, towards the left');
    expect(plain('temperature', { shift: 6 })).toEqual({ family: 'colour', plain: 'Warmer' });
    expect(plain('temperature', { shift: -3 }).plain).toBe('Slightly cooler');
    expect(plain('speed', { factor: 1.05 })).toEqual({ family: 'timing', plain: 'Slightly faster (+5%)' });
    expect(plain('speed', { factor: 0.9 }).plain).toBe('Slower (−10%)');
    expect(plain('vignette', { angle: 0.529 })).toEqual({ family: 'texture', plain: 'Vignette' });
    expect(plain('noise-bed', { amplitude: 0.005, colour: 'brown', seed: 3 })).toEqual({
      family: 'audio',
      plain: 'Soft background noise',
    });
    expect(plain('mirror')).toEqual({ family: 'framing', plain: 'Mirrored (left and right swapped)' });
    expect(plain('gamma', { gamma: 1.17 }).plain).toBe('Lighter mid-tones');
    expect(plain('volume', { db: -2 }).plain).toBe('Slightly quieter (−2 dB)');
    expect(plain('eq', { band: 'bass', gain: 4 }).plain).toBe('More bass');
    expect(plain('hue', { degrees: -12 }).plain).toBe('Colours shifted (−12°)');
    expect(plain('trim', { head: 0.1, tail: 0.067 }).plain).toBe('Trimmed 0.17 s (start and end)');
  });

  it('has words for every effect in the catalogue, at every intensity, never the jargon', () => {
    const media = {
      durationSec: 20,
      video: { width: 1080, height: 1920, fps: 30 },
      audio: { channels: 2, sampleRate: 48000 },
    } as unknown as MediaInfo;
    const random = createRandom('plain-words');
    for (const effect of EFFECTS) {
      for (const intensity of ['subtle', 'medium', 'strong'] as const) {
        if (effect.available && !effect.available(media)) continue;
        const words = plain(effect.id, effect.sample(random, intensity, media) as Record<string, number>);
        expect(words.plain).not.toBe(effect.id);
        expect(words.plain).toMatch(/^[A-Z0-9]/);
        expect(words.plain).not.toMatch(/rad\b|dBFS|gamma|NaN|undefined/);
        expect(['framing', 'colour', 'texture', 'timing', 'audio']).toContain(words.family);
      }
    }
  });

  it('shows an effect this version does not know by its id, under other', () => {
    expect(plain('wobble', { amount: 3 })).toEqual({ family: 'other', plain: 'wobble' });
  });

  it('names failures in plain words, and has a general sentence for an unknown one', () => {
    expect(plainFailure('FFmpeg could not render this variation.')).toMatch(
      /could not be made.*Retry failed/,
    );
    expect(
      plainFailure(
        "This variation stayed too close to the original in Meta's open video matcher after 3 tries; try a stronger intensity.",
      ),
    ).toBe(
      'This variation still looked too much like the original after 3 attempts, so it was not delivered. A stronger intensity changes more.',
    );
    expect(plainFailure('The source video is no longer on the server.')).toMatch(/expired.*Upload it again/);
    expect(
      plainFailure('The finished video could not be stored: storing outputs/j/o.mp4 in the bucket failed: x'),
    ).toMatch(/could not be saved.*Retry failed/);
    expect(plainFailure('The source video could not be fetched from storage: timeout')).toMatch(
      /Retry failed/,
    );
    expect(plainFailure('segfault at 0x0')).toBe(
      'This variation could not be made. “Retry failed” tries again.',
    );
  });
});

describe('variations.csv', () => {
  it('quotes commas, quotes and line breaks, and keeps a name from running as a formula', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Zoom 112%, towards top right')).toBe('"Zoom 112%, towards top right"');
    expect(csvField('the "hero" cut')).toBe('"the ""hero"" cut"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('-5.mp4')).toBe("'-5.mp4");
    expect(csvField(3.25)).toBe('3.25');
    expect(csvField(null)).toBe('');
    expect(csvRow(['a,b', 2, null])).toBe('"a,b",2,\r\n');
    // What it writes reads back field for field.
    const tricky = ['a,b', 'say "hi"', 'x\r\ny', '', '@home'];
    expect(parseCsv(csvRow(tricky))).toEqual([['a,b', 'say "hi"', 'x\r\ny', '', "'@home"]]);
  });

  it('writes one plain row per file: name, source, what changed, duration, size, distinctness', () => {
    const output = (id: string, overrides: Partial<OutputRecord>): OutputRecord =>
      ({
        id,
        sourceId: 's1',
        index: 1,
        status: 'done',
        sizeBytes: 3_456_789,
        durationSec: 14.816,
        distinctness: null,
        plan: {
          effects: [
            { id: 'zoom', params: { zoom: 1.124, x: 0.9, y: 0.1 } },
            { id: 'temperature', params: { shift: 6 } },
          ],
        },
        ...overrides,
      }) as unknown as OutputRecord;
    const vsSource = { match: false, measurable: true, matchedPercent: 0, nearestBits: 87.4 };
    const outputs = [
      output('o1', {
        distinctness: {
          vpdq: { measurable: true, vsSource, vsNearestSibling: null },
          pixel: {},
          redraws: [],
        },
      }),
      output('o2', { index: 2 }),
    ];
    const names = new Map([
      ['o1', { folder: 'Spring, launch', file: 'Spring, launch-v01.mp4' }],
      ['o2', { folder: 'Spring, launch', file: 'Spring, launch-v02.mp4' }],
    ]);
    const csv = variationsCsv(
      { sources: [{ id: 's1', name: 'Spring, launch.mp4' }] } as never,
      outputs,
      names,
    );
    expect(csv.startsWith('\ufeff')).toBe(true);
    expect(parseCsv(csv.slice(1))).toEqual([
      [
        'file',
        'source',
        'what changed',
        'duration (s)',
        'size (MB)',
        'distinct from the original',
        'vPDQ bits from the original',
      ],
      [
        'Spring, launch/Spring, launch-v01.mp4',
        'Spring, launch.mp4',
        'Zoom 112%, towards top right; Warmer',
        '14.82',
        '3.46',
        'yes',
        '87',
      ],
      [
        'Spring, launch/Spring, launch-v02.mp4',
        'Spring, launch.mp4',
        'Zoom 112%, towards top right; Warmer',
        '14.82',
        '3.46',
        'not measured',
        '',
      ],
    ]);
  });
});
