import { describe, expect, it } from 'vitest';
import { outputFileName, safeStem, uniqueStems } from '../../src/media/manifest.js';

describe('output names from client file names', () => {
  it('keeps a readable stem without folders, control characters or leading dots', () => {
    expect(safeStem('spring launch (final).mp4')).toBe('spring launch (final)');
    expect(safeStem('../../etc/passwd')).toBe('passwd');
    expect(safeStem('C:\\Users\\ad\\clip.mov')).toBe('clip');
    expect(safeStem('bad\u0000na\u0007me?.mp4')).toBe('bad_na_me_');
    expect(safeStem('...hidden.mp4')).toBe('hidden');
    expect(safeStem('.mp4')).toBe('video');
    expect(safeStem('廣告-最終版.mp4')).toBe('廣告-最終版');
    expect(safeStem(`${'a'.repeat(300)}.mp4`)).toHaveLength(80);
  });

  it('gives sources that share a name distinct folders, also when letter case is all that differs', () => {
    expect(uniqueStems(['clip.mp4', 'clip.mov', 'Clip.mp4', 'clip-2.mp4'])).toEqual([
      'clip',
      'clip-2',
      'Clip-3',
      'clip-2-2',
    ]);
  });

  it('numbers outputs with two digits, more when a source has 100 or more', () => {
    expect(outputFileName('ad', 1, 10)).toBe('ad-v01.mp4');
    expect(outputFileName('ad', 7, 120)).toBe('ad-v007.mp4');
  });
});
