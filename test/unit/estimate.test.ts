import { describe, expect, it } from 'vitest';
import {
  addSample,
  describeRemaining,
  type ProgressSample,
  remainingMs,
} from '../../web/src/lib/estimate.js';

describe('time left from the measured speed', () => {
  const feed = (points: Array<[number, number]>) =>
    points.reduce<ProgressSample[]>((samples, [at, progress]) => addSample(samples, { at, progress }), []);

  it('says nothing until enough time and progress were seen', () => {
    expect(remainingMs(feed([[0, 0]]))).toBeNull();
    expect(
      remainingMs(
        feed([
          [0, 0],
          [5_000, 0.2],
        ]),
      ),
    ).toBeNull();
    expect(
      remainingMs(
        feed([
          [0, 0],
          [20_000, 0.01],
        ]),
      ),
    ).toBeNull();
  });

  it('extrapolates the rate of the recent window', () => {
    // 10 % every 10 s: 60 % done, 40 % left → 40 s.
    const samples = feed([
      [0, 0],
      [10_000, 0.1],
      [20_000, 0.2],
      [60_000, 0.6],
    ]);
    expect(remainingMs(samples)).toBeCloseTo(40_000, -2);
  });

  it('forgets what is older than the window, so a slow start does not drag the estimate', () => {
    const samples = feed([
      [0, 0],
      [100_000, 0.05],
      [200_000, 0.5],
      [210_000, 0.6],
    ]);
    // Only the last 90 s count: 0.1 in 10 s from 0.5 → 40 s for the remaining 0.4.
    expect(remainingMs(samples)).toBeCloseTo(40_000, -2);
  });

  it('reads like a person would say it', () => {
    expect(describeRemaining(20_000)).toBe('less than a minute left');
    expect(describeRemaining(125_000)).toBe('about 2 min left');
    expect(describeRemaining(3_600_000 + 20 * 60_000)).toBe('about 1 h 20 min left');
  });
});
