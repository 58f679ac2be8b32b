import { Worker as BullWorker, type Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { settlesWithin } from '../lib/settles-within.js';
import type { EngineOptions, renderVariations } from '../media/index.js';
import type { FileStore } from '../storage/file-store.js';
import type { DataLayout } from '../storage/layout.js';
import type { AbortReason } from './job-outcome.js';
import { createJobRunner } from './job-runner.js';
import type { SharedJobEvents } from './shared-events.js';
import type { JobStore } from './types.js';
import type { StopOutcome, Worker } from './worker.js';

export interface QueueWorkerDeps {
  store: JobStore;
  events: SharedJobEvents;
  layout: DataLayout;
  engine: EngineOptions;
  logger: Logger;
  /** A connection whose commands wait out a Redis outage (BullMQ's blocking reads need one). */
  connection: Redis;
  /** Jobs this process renders at once; 0: it only queues (an API process). */
  concurrency: number;
  /** How long a worker's hold on a job lasts without renewal: a dead worker's job moves on after it. */
  lockMs: number;
  prefix?: string;
  clock?: () => number;
  render?: typeof renderVariations;
  /** Where files rest (the bucket in S3 mode); the data folder when unset. */
  files?: FileStore;
}

export const RENDER_QUEUE = 'render';

/** A job handed back (shutdown, lost Redis) is tried again this many times, waiting longer each time. */
const ATTEMPTS = 8;
const FIRST_RETRY_MS = 2000;

/**
 * The worker of a deployment on several machines: jobs are queued in BullMQ, and any process with a
 * concurrency above 0 takes them. BullMQ holds a lock per job that the taker renews; a taker that dies
 * stops renewing, and after the lock lapses another takes the job, whose record says which outputs
 * were cut short (still running): only those render again. Cancels reach the taker over Redis.
 */
export function createQueueWorker(deps: QueueWorkerDeps): Worker {
  const { store, events, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const prefix = deps.prefix ?? 'vidvar';
  const queue = new Queue(RENDER_QUEUE, {
    connection: deps.connection,
    prefix,
    defaultJobOptions: {
      attempts: ATTEMPTS,
      backoff: { type: 'exponential', delay: FIRST_RETRY_MS },
      removeOnComplete: true,
      removeOnFail: true,
    },
  });
  let draining = false;
  const runner = createJobRunner({ ...deps, isDraining: () => draining });
  const active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let consumer: BullWorker | null = null;
  const stopCancels = events.onCancel((jobId) =>
    active.get(jobId)?.controller.abort('cancel' satisfies AbortReason),
  );

  async function process(task: Job<{ jobId: string }>): Promise<void> {
    const { jobId } = task.data;
    const job = await store.startJob(jobId, clock());
    if (!job) return; // canceled or deleted while it waited
    const controller = new AbortController();
    const done = runner.run(job, controller.signal);
    active.set(jobId, { controller, done });
    try {
      await done;
    } finally {
      active.delete(jobId);
    }
    const after = await store.getJob(jobId);
    if (after?.status === 'interrupted' || after?.status === 'queued' || after?.status === 'running') {
      // Cut short here (shutdown): the queue hands it to the next worker, which renders what is left.
      throw new Error(`job ${jobId} was handed back unfinished (${after.status})`);
    }
  }

  let stopping: Promise<StopOutcome> | undefined;

  async function stopOnce(graceMs: number): Promise<StopOutcome> {
    stopCancels();
    const worker = consumer;
    consumer = null;
    let outcome: StopOutcome = 'idle';
    if (worker) {
      draining = true;
      const busy = active.size > 0;
      const closed = worker.close();
      const inTime = await settlesWithin(closed, graceMs);
      if (!inTime) {
        for (const { controller } of active.values()) controller.abort('shutdown' satisfies AbortReason);
      }
      await closed;
      outcome = !busy ? 'idle' : inTime ? 'finished' : 'aborted';
    }
    await queue.close();
    return outcome;
  }

  return {
    start() {
      if (consumer || deps.concurrency === 0) return;
      draining = false;
      consumer = new BullWorker(RENDER_QUEUE, process, {
        connection: deps.connection,
        prefix,
        concurrency: deps.concurrency,
        lockDuration: deps.lockMs,
        stalledInterval: deps.lockMs,
        maxStalledCount: ATTEMPTS,
      });
      consumer.on('error', (error) => logger.error({ err: error }, 'render queue error'));
      consumer.on('failed', (task, error) =>
        logger.warn({ jobId: task?.data.jobId, err: error }, 'render handed back to the queue'),
      );
    },

    stop({ graceMs }): Promise<StopOutcome> {
      // Shutdown paths may overlap: the second call waits for the first.
      stopping ??= stopOnce(graceMs);
      return stopping;
    },

    async cancelJob(jobId) {
      const local = active.get(jobId);
      if (local) {
        // Rendered here: nothing of it runs any more once this resolves, as on one machine.
        local.controller.abort('cancel' satisfies AbortReason);
        await local.done;
        return;
      }
      // Rendered by another worker, if any: it stops on hearing this; the caller does not wait for it.
      await events.requestCancel(jobId);
      // Not taken yet: it need not wait any more (a taker would find it canceled anyway).
      const task = await queue.getJob(jobId);
      const state = await task?.getState();
      if (task && (state === 'waiting' || state === 'delayed' || state === 'prioritized'))
        await task.remove();
    },

    async wake(jobId?: string) {
      if (jobId) await queue.add(RENDER_QUEUE, { jobId }, { jobId });
    },

    activeJobIds: () => [...active.keys()],
  };
}
