import { applyJobChange } from '../http/apply-change.js';
import { type JobView, jobChangeSchema, jobViewSchema } from '../http/schemas.js';
import { isFinishedJob } from '../job-status.js';

/**
 * Follows a job's server-sent events (`job` with the whole view, `change` with what moved) until it
 * ends; a stream cut short (a restart, a proxy) is opened again, and the view is checked against the
 * server's own schemas at every event.
 */
export type OpenStream = () => Promise<Response>;

const RECONNECT_MS = 1000;
const MAX_RECONNECTS = 30;

export async function followJob(open: OpenStream, onUpdate: (job: JobView) => void): Promise<JobView> {
  let job: JobView | null = null;
  for (let attempt = 0; attempt <= MAX_RECONNECTS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    const res = await open();
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      continue;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        job = applyEvent(job, block);
        if (job) onUpdate(job);
        // Leaving the loop cancels the stream.
        if (job && isFinishedJob(job.status)) return job;
      }
    }
  }
  throw new Error('the job’s event stream kept ending before the job did');
}

function applyEvent(job: JobView | null, block: string): JobView | null {
  const event = /^event: (.*)$/m.exec(block)?.[1];
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6))
    .join('\n');
  if (event === 'job') return jobViewSchema.parse(JSON.parse(data));
  if (event === 'change' && job) return applyJobChange(job, jobChangeSchema.parse(JSON.parse(data)));
  return job;
}
