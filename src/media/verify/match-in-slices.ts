import { setImmediate as nextTurn } from 'node:timers/promises';
import { startComparison, VPDQ_RULE, type VpdqComparison, type VpdqFrame } from './vpdq.js';

/**
 * Pairs of frames compared between two turns of the event loop: ~10–20 ms of work here, so a server
 * keeps answering other requests while two long videos are matched.
 */
const PAIRS_PER_SLICE = 200_000;

/** compareVideos, a slice of rows at a time with a turn of the event loop between; stops when asked. */
export async function matchInSlices(
  query: readonly VpdqFrame[],
  compared: readonly VpdqFrame[],
  signal?: AbortSignal,
): Promise<VpdqComparison> {
  const matching = startComparison(query, compared, VPDQ_RULE);
  const rows = Math.max(1, Math.floor(PAIRS_PER_SLICE / Math.max(1, matching.pairsPerRow)));
  while (matching.rowsLeft > 0) {
    signal?.throwIfAborted();
    matching.step(rows);
    await nextTurn();
  }
  return matching.result();
}
