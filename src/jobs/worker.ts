import { settlesWithin } from '../lib/settles-within.js';
import type { AbortReason } from './job-outcome.js';
import { createJobRunner, type JobRunnerDeps } from './job-runner.js';
import type { JobDetail } from './types.js';
import { WakeSignal } from './wake-signal.js';

export interface WorkerDeps extends Omit<JobRunnerDeps, 'isDraining'> {
  /** Jobs rendered at the same time (each may run several FFmpeg encoders). */
  concurrency?: number;
}

export type StopOutcome = 'finished' | 'aborted' | 'idle';

export interface Worker {
  start(): void;
  /** Stops claiming; lets running jobs finish within graceMs, else aborts them and marks them interrupted. */
  stop(opts: { graceMs: number }): Promise<StopOutcome>;
  /** Kills the job's FFmpeg runs and marks it canceled; resolves once nothing of it runs any more. */
  cancelJob(jobId: string): Promise<void>;
  /**
   * A job was created or retried: look for queued work now (in process), or queue it (BullMQ, where this
   * fails while Redis is away). A freed slot wakes the in-process worker too.
   */
  wake(jobId?: string): Promise<void> | void;
  activeJobIds(): string[];
}

/** The worker sleeps until woken; this only bounds how long a missed wake-up could leave a job queued. */
const SAFETY_WAKE_MS = 60_000;
/** After the database refused a claim (locked, full), try again soon rather than at the safety timer. */
const CLAIM_RETRY_MS = 1000;

/**
 * The in-process worker of one machine (SQLite): claims the oldest queued job and hands it to the job
 * runner. One AbortController per job: cancel and shutdown both end FFmpeg the same way.
 */
export function createWorker(deps: WorkerDeps): Worker {
  const { store, events, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const concurrency = deps.concurrency ?? 1;
  const runner = createJobRunner({ ...deps, isDraining: () => draining });
  const active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let running = false;
  let draining = false;
  let loopDone: Promise<void> = Promise.resolve();
  const wakeSignal = new WakeSignal();
  const wake = () => wakeSignal.wake();
  const sleep = (ms: number) => wakeSignal.sleep(ms);

  let claimFailed = false;

  async function claimNext(): Promise<JobDetail | null> {
    try {
      claimFailed = false;
      return await store.claimNextJob(clock());
    } catch (error) {
      // A locked or full database: try again shortly rather than stop working for good.
      claimFailed = true;
      logger.error({ err: error, event: 'claim_failed' }, 'could not claim a job');
      return null;
    }
  }

  async function loop(): Promise<void> {
    while (running) {
      while (running && active.size < concurrency) {
        const job = await claimNext();
        if (!job) break;
        const controller = new AbortController();
        const done = runner.run(job, controller.signal).finally(() => {
          active.delete(job.id);
          wake(); // a slot is free
        });
        active.set(job.id, { controller, done });
      }
      await sleep(claimFailed ? CLAIM_RETRY_MS : SAFETY_WAKE_MS);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      draining = false;
      loopDone = loop();
    },

    async stop({ graceMs }) {
      running = false;
      // Let the encode that runs now finish, but start no other: the rest resumes after the restart.
      draining = true;
      wake();
      await loopDone;
      if (active.size === 0) return 'idle';
      const all = Promise.all([...active.values()].map((entry) => entry.done));
      if (await settlesWithin(all, graceMs)) return 'finished';
      for (const entry of active.values()) entry.controller.abort('shutdown' satisfies AbortReason);
      await all;
      return 'aborted';
    },

    async cancelJob(jobId) {
      const entry = active.get(jobId);
      if (entry) {
        entry.controller.abort('cancel' satisfies AbortReason);
        await entry.done;
        return;
      }
      const job = await store.getJob(jobId);
      if (job && (job.status === 'queued' || job.status === 'interrupted')) {
        await store.cancelJob(jobId, clock());
        events.publish(jobId);
      }
    },

    wake,
    activeJobIds: () => [...active.keys()],
  };
}
