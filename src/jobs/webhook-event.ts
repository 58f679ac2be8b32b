import type { FinishedJobStatus } from '../job-status.js';
import type { JobDetail } from './types.js';
import type { JobWebhook } from './webhook-store.js';

/**
 * The event a job's end sends to its webhook, in the Standard Webhooks envelope `{type, timestamp,
 * data}`: what the job became, how many of its variations are done, the caller's metadata as it was
 * given, and absolute links to the ZIP and to each output.
 */
export interface WebhookEvent {
  type: `job.${FinishedJobStatus}`;
  timestamp: string;
  data: {
    jobId: string;
    status: FinishedJobStatus;
    error: string | null;
    counts: { outputs: number; done: number; failed: number; canceled: number };
    metadata: Record<string, unknown> | null;
    links: {
      job: string;
      download: string;
      outputs: Array<{ id: string; sourceId: string; index: number; status: string; url: string }>;
    };
  };
}

export function webhookEvent(
  job: JobDetail,
  status: FinishedJobStatus,
  webhook: JobWebhook,
  now: number,
): WebhookEvent {
  const jobUrl = new URL(`/api/jobs/${job.id}`, webhook.baseUrl).href;
  const count = (s: string) => job.outputs.filter((o) => o.status === s).length;
  return {
    type: `job.${status}`,
    timestamp: new Date(now).toISOString(),
    data: {
      jobId: job.id,
      status,
      error: job.error,
      counts: {
        outputs: job.outputs.length,
        done: count('done'),
        failed: count('failed'),
        canceled: count('canceled'),
      },
      metadata: webhook.metadata,
      links: {
        job: jobUrl,
        download: `${jobUrl}/download`,
        outputs: job.outputs.map((o) => ({
          id: o.id,
          sourceId: o.sourceId,
          index: o.index,
          status: o.status,
          url: `${jobUrl}/outputs/${o.id}`,
        })),
      },
    },
  };
}
