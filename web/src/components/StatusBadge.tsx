import type { JobStatus, OutputStatus } from '../api/types.js';

const LABELS: Record<JobStatus | OutputStatus, string> = {
  queued: 'Waiting',
  running: 'Processing',
  done: 'Done',
  failed: 'Failed',
  canceled: 'Stopped',
  interrupted: 'Resuming…',
};

export function statusLabel(status: JobStatus | OutputStatus): string {
  return LABELS[status];
}

export function toneOf(status: JobStatus | OutputStatus): 'active' | 'done' | 'failed' {
  if (status === 'done') return 'done';
  return status === 'failed' || status === 'canceled' ? 'failed' : 'active';
}

export function StatusBadge({ status }: { status: JobStatus | OutputStatus }) {
  return <span class={`badge badge--${status}`}>{LABELS[status]}</span>;
}
