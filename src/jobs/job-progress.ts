import type { JobEvents } from './job-events.js';
import type { JobDetail, JobStore } from './types.js';

export interface JobProgress {
  update(outputId: string, fraction: number): void;
  /** Counts a render attempt once per output, on its first sign of life. */
  started(outputId: string): void;
  finished(outputId: string): void;
}

/** Job progress is the mean of its outputs' progress; written and published at most once a second. */
export function createJobProgress(
  job: JobDetail,
  deps: { store: JobStore; events: JobEvents; clock: () => number },
): JobProgress {
  const { store, events, clock } = deps;
  const fractions = new Map(
    job.outputs.map((o) => [o.id, o.status === 'done' || o.status === 'failed' ? 1 : 0]),
  );
  const live = new Set<string>();
  let lastWrite = Number.NEGATIVE_INFINITY;

  function flush(force: boolean): void {
    const now = clock();
    if (!force && now - lastWrite < 1000) return;
    lastWrite = now;
    for (const outputId of live) store.setOutputProgress(outputId, fractions.get(outputId) ?? 0);
    const total = [...fractions.values()].reduce((sum, f) => sum + f, 0);
    store.setJobProgress(job.id, fractions.size === 0 ? 1 : total / fractions.size, now);
    events.publish(job.id);
  }

  function started(outputId: string): void {
    if (live.has(outputId)) return;
    live.add(outputId);
    store.setOutputRunning(outputId, clock());
    events.publish(job.id);
  }

  return {
    started,
    update(outputId, fraction) {
      started(outputId);
      fractions.set(outputId, Math.min(1, Math.max(0, fraction)));
      flush(false);
    },
    finished(outputId) {
      live.delete(outputId);
      fractions.set(outputId, 1);
      flush(false);
      events.publish(job.id);
    },
  };
}
