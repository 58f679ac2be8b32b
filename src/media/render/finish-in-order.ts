import { type Fingerprint, readFingerprint } from '../verify/fingerprint.js';
import type { GroupHashes } from './hash-sinks.js';
import { type Checked, checkTarget, type FinishState, finishTarget } from './render-checks.js';
import type { RenderRequest, RenderResult, RenderTarget } from './render-types.js';

export interface InOrderFinish {
  /** A group's process ended (with these failures and hashes): checks its outputs, then finishes what it can. */
  groupEnded(
    group: RenderTarget[],
    index: number,
    failures: Map<string, string>,
    hashes: GroupHashes | null,
  ): Promise<void>;
  /** Once no group runs: finishes the rest, skipping outputs whose group never started. */
  rest(): Promise<RenderResult[]>;
}

/**
 * Finishes a round of a source's outputs in the caller's order, each as soon as its group and every
 * output before it are checked: distinctness ("the nearest sibling finished before it") is then the
 * same on every machine, whatever process ended first. In the first round group 0 writes the source's
 * fingerprint and hashes, so nothing finishes before it ends. Too-close outputs are returned, not
 * reported: the caller redraws them.
 */
export function createInOrderFinish(
  req: RenderRequest,
  targets: RenderTarget[],
  sourceScratch: string | undefined,
  state: FinishState,
): InOrderFinish {
  const checked = new Map<string, Checked>();
  const results: RenderResult[] = [];
  let firstGroupEnded = false;
  let next = 0;
  let draining = false;

  // One drain at a time; a group that ends during a drain is picked up by that drain's loop.
  const drain = async (final: boolean) => {
    if (draining) return;
    draining = true;
    try {
      while (next < targets.length) {
        const target = targets[next] as RenderTarget;
        const check = checked.get(target.outputId);
        if (check === undefined) {
          if (!final) return;
          next++; // its group never started: it stays for a later run
          continue;
        }
        if (state.sourcePrint === undefined) {
          if (!firstGroupEnded && !final) return;
          state.sourcePrint = firstGroupEnded && sourceScratch ? await readSourcePrint(sourceScratch) : null;
        }
        next++;
        const finished = await finishTarget(target, check, state, req.signal, req.guarantee !== false);
        for (const result of finished) {
          results.push(result);
          if (result.ok || !result.tooClose) req.onOutput?.(result);
        }
      }
    } finally {
      draining = false;
    }
  };

  return {
    async groupEnded(group, index, failures, hashes) {
      const checks = await Promise.all(
        group.map((t) =>
          checkTarget(req, t, failures.get(t.outputId), hashes?.outputs.get(t.outputId) ?? []),
        ),
      );
      for (const [i, t] of group.entries()) checked.set(t.outputId, checks[i] as Checked);
      if (index === 0) {
        firstGroupEnded = true;
        if (hashes?.source) state.sourceHashes = hashes.source;
      }
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
