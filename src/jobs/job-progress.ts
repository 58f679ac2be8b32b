import type { JobEvents } from './job-events.js';
import type { JobDetail, JobStore } from './types.js';
import type { WriteChain } from './write-chain.js';

export interface JobProgress {
  update(outputId: string, fraction: number): void;
  /** Counts a render attempt once per output, on its first sign of life. */
  started(outputId: string): void;
  finished(outputId: string): void;
}

/**
 * Job progress is the mean of its outputs' progress; written and published at most once a second, through
 * the job's write chain so that the writes land in the order FFmpeg reported them.
 */
export function createJobProgress(
  job: JobDetail,
  deps: { store: JobStore; events: JobEvents; clock: () => number; writes: WriteChain },
): JobProgress {
  const { store, events, clock, writes } = deps;
  const fractions = new Map(
    job.outputs.map((o) => [o.id, o.status === 'done' || o.status === 'failed' ? 1 : 0]),
  );
  const live = new Set<string>();
  let lastWrite = Number.NEGATIVE_INFINITY;

  function flush(force: boolean): void {
    const now = clock();
    if (!force && now - lastWrite < 1000) return;
    lastWrite = now;
    const outputs = [...live].map((outputId) => [outputId, fractions.get(outputId) ?? 0] as const);
    const total = [...fractions.values()].reduce((sum, f) => sum + f, 0);
    const jobProgress = fractions.size === 0 ? 1 : total / fractions.size;
    writes.push(async () => {
      for (const [outputId, fraction] of outputs) await store.setOutputProgress(outputId, fraction);
      await store.setJobProgress(job.id, jobProgress, now);
      events.publish(job.id);
    });
  }

  function started(outputId: string): void {
    if (live.has(outputId)) return;
    live.add(outputId);
    const now = clock();
    writes.push(async () => {
      await store.setOutputRunning(outputId, now);
      events.publish(job.id);
    });
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
      writes.push(() => events.publish(job.id));
    },
  };
}
