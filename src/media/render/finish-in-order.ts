import { type Fingerprint, readFingerprint } from '../verify/fingerprint.js';
import { type Checked, checkTarget, finishTarget } from './render-checks.js';
import type { RenderRequest, RenderResult, RenderTarget } from './render-types.js';

export interface InOrderFinish {
  /** A group's process ended (with these failures): checks its outputs, then finishes what it can. */
  groupEnded(group: RenderTarget[], index: number, failures: Map<string, string>): Promise<void>;
  /** Once no group runs: finishes the rest, skipping outputs whose group never started. */
  rest(): Promise<RenderResult[]>;
}

/**
 * Finishes a source's outputs in the caller's order, each as soon as its group and every output before
 * it are checked: distinctness ("the nearest sibling finished before it") is then the same on every
 * machine, whatever process ended first. Group 0 writes the source's fingerprint, so nothing finishes
 * before it ends.
 */
export function createInOrderFinish(req: RenderRequest, sourceScratch: string): InOrderFinish {
  const checked = new Map<string, Checked>();
  const siblings = new Map<string, Fingerprint>();
  const results: RenderResult[] = [];
  let firstGroupEnded = false;
  let source: Fingerprint | null | undefined;
  let next = 0;
  let draining = false;

  // One drain at a time; a group that ends during a drain is picked up by that drain's loop.
  const drain = async (final: boolean) => {
    if (draining) return;
    draining = true;
    try {
      while (next < req.targets.length) {
        const target = req.targets[next] as RenderTarget;
        const check = checked.get(target.outputId);
        if (check === undefined) {
          if (!final) return;
          next++; // its group never started: it stays for a later run
          continue;
        }
        if (source === undefined) {
          if (!firstGroupEnded && !final) return;
          source = firstGroupEnded ? await readSourcePrint(sourceScratch) : null;
        }
        next++;
        const result = await finishTarget(target, check, source, siblings);
        results.push(result);
        req.onOutput?.(result);
      }
    } finally {
      draining = false;
    }
  };

  return {
    async groupEnded(group, index, failures) {
      const checks = await Promise.all(group.map((t) => checkTarget(req, t, failures.get(t.outputId))));
      for (const [i, t] of group.entries()) checked.set(t.outputId, checks[i] as Checked);
      if (index === 0) firstGroupEnded = true;
      await drain(false);
    },
    async rest() {
      await drain(true);
      return results;
    },
  };
}

/** The source's fingerprint; when the first group could not write it, outputs are measured against their siblings only. */
async function readSourcePrint(file: string): Promise<Fingerprint | null> {
  try {
    return await readFingerprint(file);
  } catch {
    return null;
  }
}
