import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageBudget } from '../../src/storage/disk-space.js';
import { type DataLayout, dataLayout } from '../../src/storage/layout.js';

/** The budget's two halves on a real folder: bytes measured in the background, bytes promised. */
let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function layoutWithFolders(): DataLayout {
  root = mkdtempSync(path.join(os.tmpdir(), 'vidvar-budget-'));
  const layout = dataLayout(root);
  for (const dir of [layout.uploads, layout.work, layout.outputs]) mkdirSync(dir, { recursive: true });
  return layout;
}

describe('storage budget', () => {
  it('answers from its last measure and measures again in the background, not on the caller', async () => {
    const layout = layoutWithFolders();
    const budget = new StorageBudget({ layout, budgetBytes: 10_000, cacheMs: 60_000 });
    expect(budget.usedBytes()).toBe(0);
    writeFileSync(path.join(layout.uploads, 'a.src'), Buffer.alloc(3000));
    expect(budget.usedBytes()).toBe(0);
    await budget.refresh();
    expect(budget.usedBytes()).toBe(3000);
  });

  it('counts a promise once: held, then on disk but not yet measured, then measured', async () => {
    const layout = layoutWithFolders();
    const budget = new StorageBudget({ layout, budgetBytes: 10_000, cacheMs: 60_000 });
    budget.hold('upload:a', 4000);
    expect(budget.canFit(6000)).toBe(true);
    expect(budget.canFit(6001)).toBe(false);

    writeFileSync(path.join(layout.uploads, 'a.src'), Buffer.alloc(4000));
    budget.settle('upload:a');
    // Landed but not yet measured: still counted, and only once.
    expect(budget.usedBytes() + budget.reservedBytes()).toBe(4000);
    await budget.refresh();
    expect(budget.usedBytes()).toBe(4000);
    expect(budget.reservedBytes()).toBe(0);
    expect(budget.canFit(6000)).toBe(true);
  });

  it('forgets a released promise at once, and adds promises computed on demand', () => {
    const layout = layoutWithFolders();
    const budget = new StorageBudget({ layout, budgetBytes: 10_000, cacheMs: 60_000 });
    let queued = 2500;
    budget.addComputedReservation(() => queued);
    budget.hold('upload:b', 5000);
    expect(budget.reservedBytes()).toBe(7500);
    budget.release('upload:b');
    expect(budget.reservedBytes()).toBe(2500);
    queued = 0;
    expect(budget.reservedBytes()).toBe(0);
  });
});
