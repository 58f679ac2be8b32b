import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { formatGeometry, parseColour, parseFormats } from '../../src/media/plan/placement.js';
import { resolvePlacement } from '../../src/media/plan/placement-request.js';
import { placementLines } from '../../src/media/render/placement-graph.js';
import { platformChecks } from '../../src/media/verify/platform-checks.js';
import { fakeMedia } from '../support/fake-media.js';

describe('placements', () => {
  it('sizes each placement at its standard size, capped by the long side, even', () => {
    const media = fakeMedia({ width: 640, height: 360 });
    expect(formatGeometry(media, '9x16', 1920)).toMatchObject({ width: 1080, height: 1920 });
    expect(formatGeometry(media, '4x5', 1920)).toMatchObject({ width: 1080, height: 1350 });
    expect(formatGeometry(media, '16x9', 1080)).toMatchObject({ width: 1080, height: 608 });
    expect(formatGeometry(media, '4x5', 481)).toMatchObject({ width: 384, height: 480 });
    expect(formatGeometry(media, 'source', 480)).toMatchObject({ width: 480, height: 270 });
  });

  it('reads formats and colours as people write them, and nothing else', () => {
    expect(parseFormats(['9x16, 4:5', '9x16', '1X1'])).toEqual({
      formats: ['9x16', '4x5', '1x1'],
      unknown: [],
    });
    expect(parseFormats(['9x16,2x3']).unknown).toEqual(['2x3']);
    expect(parseColour('#1A2b3c')).toBe('0x1a2b3c');
    expect(parseColour('grey')).toBe('0x808080');
    for (const bad of ['red:x', '#12345', "white';", 'rgb(1,2,3)']) expect(parseColour(bad)).toBeNull();
  });

  it('gives a platform its placements and -14 LUFS unless told otherwise', () => {
    expect(resolvePlacement({ platform: 'meta' })).toMatchObject({
      placements: { formats: ['9x16', '4x5', '1x1'], layout: { fit: 'crop', padColour: '0x000000' } },
      loudnessLufs: -14,
    });
    expect(resolvePlacement({ platform: 'tiktok', formats: '1x1', loudness: 'off' })).toMatchObject({
      placements: { formats: ['1x1'] },
      loudnessLufs: null,
    });
    expect(resolvePlacement({})).toMatchObject({ placements: { formats: ['source'] }, loudnessLufs: null });
    expect(() => resolvePlacement({ fit: 'zoom' })).toThrow(UserError);
  });

  it('crops the centred window in the frame shape, pads and blurs by fitting the whole picture, centred', () => {
    const layout = { fit: 'crop' as const, padColour: '0x000000' };
    const wide = { width: 640, height: 360 };
    const tall = { width: 360, height: 640 };
    expect(placementLines('[i]', '[o]', wide, tall, layout)).toEqual([
      '[i]crop=204:360,scale=360:640,setsar=1[o]',
    ]);
    expect(placementLines('[i]', '[o]', wide, tall, { ...layout, fit: 'pad' })).toEqual([
      '[i]scale=360:202,pad=360:640:0:218:color=0x000000,setsar=1[o]',
    ]);
    const blur = placementLines('[i]', '[o]', wide, tall, { ...layout, fit: 'blur' });
    expect(blur.at(-1)).toBe('[obg][ofg]overlay=0:218,setsar=1[o]');
    // The background is blurred on a copy an eighth of the frame's size.
    expect(blur[1]).toMatch(/^\[ob\]crop=208:360,scale=46:80,boxblur/);
  });

  it('holds an output to its platform, each check with its value and the limit', () => {
    const facts = { durationSec: 75, sizeBytes: 600 * 1024 * 1024, width: 1080, height: 1920 };
    const checks = platformChecks('tiktok', facts, { hasAudio: true, targetLufs: null });
    const byName = Object.fromEntries(checks.map((c) => [c.check, c]));
    expect(byName.duration).toMatchObject({ ok: false, value: 75, limit: '5 to 60 s' });
    expect(byName['file-size']).toMatchObject({ ok: false, limit: 'at most 500 MB' });
    expect(byName.resolution).toMatchObject({ ok: true, value: 1080 });
    expect(byName['aspect-ratio']).toMatchObject({ ok: true });
    expect(byName['bit-rate']).toMatchObject({ ok: true, unit: 'kb/s' });
  });
});
