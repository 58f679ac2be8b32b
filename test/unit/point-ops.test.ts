import { describe, expect, it } from 'vitest';
import { EFFECTS, effectById } from '../../src/media/effects/catalog.js';
import { fusedLut, pictureFilters } from '../../src/media/effects/point-ops.js';
import type { EffectParams } from '../../src/media/types.js';

const CTX = { width: 1080, height: 1920, fps: 30, durationSec: 6, sampleRate: 48000 };
const place = (id: string, params: EffectParams) => ({ definition: effectById(id), params });

describe('colour point operations in a row become one lookup table', () => {
  it('keeps a lone point operation as its own, cheaper filter', () => {
    expect(pictureFilters([place('contrast', { contrast: 1.1 })], CTX)).toEqual(['eq=contrast=1.1']);
  });

  it('fuses a run of two or more into one lutyuv, applied in order, planes they leave alone kept', () => {
    const filters = pictureFilters(
      [place('brightness', { brightness: 0.05 }), place('gamma', { gamma: 0.9 })],
      CTX,
    );
    expect(filters).toHaveLength(1);
    const [y, u, v] = (filters[0] as string).replace(/^lutyuv=/, '').split(/:(?=[yuv]=)/);
    expect(y).toMatch(
      /^y='st\(0,val\);st\(0,clip\(trunc\(clip\(floor\(ld\(0\)\*4096\/4096\)\+12,0,255\)\),0,255\)\);st\(0,/,
    );
    expect([u, v]).toEqual(['u=val', 'v=val']);
  });

  it('lets a filter that is no point operation end a run', () => {
    const filters = pictureFilters(
      [
        place('mirror', {}),
        place('brightness', { brightness: 0.05 }),
        place('saturation', { saturation: 1.2 }),
        place('vignette', { angle: 0.4 }),
        place('curves', { black: 0.03, mid: 0.52, white: 0.97 }),
      ],
      CTX,
    );
    expect(filters.map((f) => f.split('=')[0])).toEqual(['hflip', 'lutyuv', 'vignette', 'lutyuv']);
    expect(filters[3]).toMatch(/^lutyuv=y='clip\(16\+219\*/);
  });

  it('runs hue before the other colour effects, so it never splits their run', () => {
    const colour = EFFECTS.filter((e) => e.family === 'colour');
    expect(colour[0]?.id).toBe('hue');
    expect(colour[0]?.pointOps).toBeUndefined();
    expect(colour.slice(1).every((e) => e.pointOps !== undefined)).toBe(true);
  });

  it('stores every step as an integer 0–255, as the filter it replaces would', () => {
    const lut = fusedLut([{ y: (x) => `${x}*1.5` }, { y: (x) => `${x}-300` }]);
    expect(lut).toBe(
      "lutyuv=y='st(0,val);st(0,clip(trunc(ld(0)*1.5),0,255));st(0,clip(trunc(ld(0)-300),0,255))':u=val:v=val",
    );
  });
});
