import type { Logger } from 'pino';
import type { JobStore } from './types.js';

/** How the worker ends a job: what it records for a run that ended, was canceled or was cut short. */

export type AbortReason = 'cancel' | 'shutdown';

/** Every output tried: done when all are, failed (with how many) otherwise. */
export async function endFinished(store: JobStore, jobId: string, now: number, log: Logger): Promise<void> {
  const outputs = (await store.getJob(jobId))?.outputs ?? [];
  const failed = outputs.filter((o) => o.status !== 'done').length;
  if (failed > 0) {
    const noun = outputs.length === 1 ? 'variation' : 'variations';
    await store.setJobStatus(jobId, 'failed', now, `${failed} of ${outputs.length} ${noun} failed.`);
  } else {
    await store.setJobStatus(jobId, 'done', now);
  }
  log.info({ event: 'job_finished', status: failed > 0 ? 'failed' : 'done', failed }, 'job finished');
}

/** A cancel ends the job; a shutdown keeps what is done and requeues the outputs it cut short. */
export async function endInterrupted(
  store: JobStore,
  jobId: string,
  now: number,
  reason: AbortReason,
  log: Logger,
): Promise<void> {
  if (reason === 'cancel') {
    await store.cancelJob(jobId, now);
    log.info({ event: 'job_canceled' }, 'job canceled');
    return;
  }
  const cutShort = ((await store.getJob(jobId))?.outputs ?? [])
    .filter((o) => o.status === 'running')
    .map((o) => o.id);
  await store.requeueOutputs(cutShort);
  await store.setJobStatus(jobId, 'interrupted', now);
  log.warn({ event: 'job_interrupted', requeued: cutShort }, 'job interrupted by shutdown');
}
