/**
 * The states of a job and of an output. No imports: the web client takes these too, so that "is this
 * job finished?" has one answer everywhere.
 */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'canceled' | 'interrupted';
export type OutputStatus = 'queued' | 'running' | 'done' | 'failed' | 'canceled';

/** A job in one of these states will not change by itself any more. */
export const FINISHED_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(['done', 'failed', 'canceled']);

export function isFinished(status: JobStatus): boolean {
  return FINISHED_JOB_STATUSES.has(status);
}
