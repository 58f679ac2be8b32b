import { describe, expect, it } from 'vitest';
import { mapPool } from '../../src/lib/map-pool.js';

/** A promise whose end the test decides, so the pool's interleaving is exact rather than timed. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapPool', () => {
  it('returns the results in input order whatever order the calls end in', async () => {
    const delays = [30, 0, 20, 5, 10];
    const results = await mapPool(delays, 3, async (ms, i) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return `${i}:${ms}`;
    });
    expect(results).toEqual(['0:30', '1:0', '2:20', '3:5', '4:10']);
  });

  it('never runs more than `limit` calls at once, and starts the next as one ends', async () => {
    const gates = Array.from({ length: 5 }, gate);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const pool = mapPool(gates, 2, async (g, i) => {
      started.push(i);
      running++;
      peak = Math.max(peak, running);
      await g.opened;
      running--;
      return i;
    });
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1]?.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await pool).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('after the first error starts nothing new, waits for the running calls, then throws that error', async () => {
    const slow = gate();
    const started: number[] = [];
    let slowEnded = false;
    const pool = mapPool([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      if (i === 0) {
        await slow.opened;
        slowEnded = true;
        throw new Error('second failure');
      }
      throw new Error('first failure');
    });
    let settled = false;
    pool.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(settled).toBe(false); // item 0 still runs
    slow.open();
    await expect(pool).rejects.toThrow('first failure');
    expect(slowEnded).toBe(true);
    expect(started).toEqual([0, 1]);
  });

  it('on abort starts nothing new, waits for the running calls, and throws the reason', async () => {
    const controller = new AbortController();
    const first = gate();
    const started: number[] = [];
    const finished: number[] = [];
    const pool = mapPool(
      [0, 1, 2],
      1,
      async (i) => {
        started.push(i);
        if (i === 0) await first.opened;
        finished.push(i);
        return i;
      },
      controller.signal,
    );
    await tick();
    controller.abort(new Error('canceled'));
    first.open();
    await expect(pool).rejects.toThrow('canceled');
    expect(started).toEqual([0]);
    expect(finished).toEqual([0]);
  });

  it('returns every result when the abort comes after the last item started', async () => {
    const controller = new AbortController();
    const results = await mapPool(
      [1, 2],
      2,
      async (n) => {
        await tick();
        controller.abort();
        return n * 10;
      },
      controller.signal,
    );
    expect(results).toEqual([10, 20]);
  });

  it('starts nothing when the signal is already aborted, and handles no items', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    let calls = 0;
    await expect(mapPool([1], 4, async () => calls++, controller.signal)).rejects.toThrow('gone');
    expect(calls).toBe(0);
    expect(await mapPool([], 4, async () => 1)).toEqual([]);
  });
});
