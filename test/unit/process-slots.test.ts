import { describe, expect, it } from 'vitest';
import { createProcessSlots } from '../../src/media/ffmpeg/process-slots.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('process slots', () => {
  it('runs at most `capacity` processes and serves waiters in ticket order, not arrival order', async () => {
    const slots = createProcessSlots(2);
    const started: string[] = [];
    const releases = new Map<string, () => void>();
    const start = (name: string, ticket: number[], weight = 1) =>
      void slots.acquire(weight, ticket).then((release) => {
        started.push(name);
        releases.set(name, release);
      });
    start('a0', [0, 0]);
    start('a1', [0, 1]);
    start('b0', [1, 0]);
    start('a2', [0, 2]);
    await tick();
    expect(started).toEqual(['a0', 'a1']);
    releases.get('a0')?.();
    await tick();
    // a2 queued after b0 but holds the earlier ticket: the source that started first keeps its turn.
    expect(started).toEqual(['a0', 'a1', 'a2']);
    releases.get('a1')?.();
    releases.get('a1')?.(); // a second release of the same slot changes nothing
    await tick();
    expect(started).toEqual(['a0', 'a1', 'a2', 'b0']);
  });

  it('gives a process that needs the whole machine all slots, and nothing runs beside it', async () => {
    const slots = createProcessSlots(2);
    const started: string[] = [];
    const hold = await slots.acquire(1, [0]);
    void slots.acquire(2, [1]).then((release) => {
      started.push('big');
      release();
    });
    void slots.acquire(1, [2]).then(() => started.push('small'));
    await tick();
    expect(started).toEqual([]);
    hold();
    await tick();
    expect(started).toEqual(['big', 'small']);
  });
});
