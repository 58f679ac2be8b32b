/**
 * The states of a job and of its outputs, defined once for every layer of the server: storage (the
 * janitor) sits below jobs/, so they live here rather than in jobs/types.ts.
 *
 * queued → running → done | failed (retry → queued); running → interrupted → queued at start-up;
 * queued | running | interrupted → canceled.
 */
export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'canceled', 'interrupted'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A count of jobs per state, every state at 0. */
export function zeroCountsByStatus(): Record<JobStatus, number> {
  return Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
}

/** An output is never interrupted: its job is, and requeues it. */
export const OUTPUT_STATUSES = ['queued', 'running', 'done', 'failed', 'canceled'] as const;
export type OutputStatus = (typeof OUTPUT_STATUSES)[number];

/** A job in one of these states runs no more: its files may expire, be evicted or be zipped as final. */
export const FINISHED_JOB_STATUSES = ['done', 'failed', 'canceled'] as const satisfies readonly JobStatus[];

export type FinishedJobStatus = (typeof FINISHED_JOB_STATUSES)[number];

export function isFinishedJob(status: string): status is FinishedJobStatus {
  return (FINISHED_JOB_STATUSES as readonly string[]).includes(status);
}
