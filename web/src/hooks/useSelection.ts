import { useMemo, useState } from 'preact/hooks';
import type { OutputView } from '../api/types.js';

export interface Selection {
  /** Chosen variations that are still finished, in the batch's order. */
  ids: string[];
  has(id: string): boolean;
  toggle(id: string): void;
  clear(): void;
}

/**
 * The variations picked on a job screen for "Download selected". Only finished ones count: a
 * variation that is retried after being picked drops out instead of failing the download.
 */
export function useSelection(outputs: readonly OutputView[]): Selection {
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const ids = useMemo(
    () => outputs.filter((o) => o.status === 'done' && picked.has(o.id)).map((o) => o.id),
    [outputs, picked],
  );
  return {
    ids,
    has: (id) => picked.has(id),
    toggle: (id) =>
      setPicked((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    clear: () => setPicked(new Set()),
  };
}
