import { describe, expect, it } from 'vitest';
import { ProgressParser } from '../../src/media/ffmpeg/progress.js';

function block(fields: Record<string, string>, progress = 'continue'): string {
  return `${Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\nprogress=${progress}\n`;
}

describe('ProgressParser', () => {
  it('reports the fraction of the expected duration once per progress block', () => {
    const parser = new ProgressParser(4);
    const text = block({ frame: '30', out_time_us: '1000000', out_time: '00:00:01.000000' });
    expect(parser.push(text)).toEqual([{ fraction: 0.25, outTimeSec: 1, frames: 30, done: false }]);
  });

  it('reassembles lines split anywhere across chunks', () => {
    const parser = new ProgressParser(2);
    const text =
      block({ frame: '15', out_time_us: '500000' }) + block({ frame: '30', out_time_us: '1000000' });
    const seen = [];
    for (let i = 0; i < text.length; i += 7) seen.push(...parser.push(text.slice(i, i + 7)));
    expect(seen.map((s) => s.fraction)).toEqual([0.25, 0.5]);
    expect(seen.map((s) => s.frames)).toEqual([15, 30]);
  });

  it('treats out_time_ms as microseconds (what FFmpeg really writes there)', () => {
    const parser = new ProgressParser(10);
    expect(parser.push(block({ out_time_ms: '2500000' }))[0]?.outTimeSec).toBe(2.5);
  });

  it('reads the clock form when only out_time is given', () => {
    const parser = new ProgressParser(7200);
    expect(parser.push(block({ out_time: '01:00:00.000000' }))[0]?.fraction).toBe(0.5);
  });

  it('keeps the last known position when FFmpeg reports N/A', () => {
    const parser = new ProgressParser(4);
    parser.push(block({ out_time_us: '2000000' }));
    const [snapshot] = parser.push(block({ out_time_us: 'N/A', out_time_ms: 'N/A', out_time: 'N/A' }));
    expect(snapshot).toMatchObject({ fraction: 0.5, outTimeSec: 2 });
  });

  it('starts at 0 while everything is N/A or negative', () => {
    const parser = new ProgressParser(4);
    expect(parser.push(block({ out_time_us: 'N/A' }))[0]?.fraction).toBe(0);
    expect(parser.push(block({ out_time_us: '-66656' }))[0]).toMatchObject({ fraction: 0, outTimeSec: 0 });
  });

  it('clamps a position past the expected end to 1 and never goes backwards', () => {
    const parser = new ProgressParser(2);
    expect(parser.push(block({ out_time_us: '2600000' }))[0]?.fraction).toBe(1);
    expect(parser.push(block({ out_time_us: '1000000' }))[0]?.fraction).toBe(1);
  });

  it('is complete at progress=end even when the duration was unknown', () => {
    const parser = new ProgressParser(0);
    expect(parser.push(block({ frame: '3', out_time_us: '100000' }))[0]?.fraction).toBe(0);
    expect(parser.push(block({ frame: '9', out_time_us: '300000' }, 'end'))[0]).toEqual({
      fraction: 1,
      outTimeSec: 0.3,
      frames: 9,
      done: true,
    });
  });

  it('ignores lines that are not key=value and drops an endless line instead of growing', () => {
    const parser = new ProgressParser(1);
    expect(parser.push('garbage\n=x\n')).toEqual([]);
    parser.push('x'.repeat(100_000));
    expect(parser.push(`\n${block({ out_time_us: '500000' })}`)[0]?.fraction).toBe(0.5);
  });
});
