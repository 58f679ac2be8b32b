import { describe, expect, it } from 'vitest';
import { cpuBudgetSec, DEFAULT_PROCESS_LIMITS } from '../../src/media/ffmpeg/process-limits.js';

describe('CPU-time budget of an FFmpeg run', () => {
  const limits = DEFAULT_PROCESS_LIMITS;

  it('grows with the media length and with the outputs one process encodes', () => {
    const one = cpuBudgetSec(limits, 60, 600);
    expect(one).toBe(Math.max(limits.cpuFloorSec, 60 * limits.cpuPerMediaSec));
    // Five outputs from one decode: five encoders' worth of time, or a slow preset would be cut off.
    expect(cpuBudgetSec(limits, 60, 600, 5)).toBe(5 * 60 * limits.cpuPerMediaSec);
  });

  it('never goes below the floor, and budgets for the longest admissible media when the length is unknown', () => {
    expect(cpuBudgetSec(limits, 1, 600)).toBe(limits.cpuFloorSec);
    expect(cpuBudgetSec(limits, 0, 600)).toBe(600 * limits.cpuPerMediaSec);
  });
});
