import { applyJobChange } from '../../src/http/apply-change.js';
import type { JobChange, JobView } from '../../src/http/schemas.js';

/** One block of an event stream as it arrived: `job` (the whole view) or `change` (what changed). */
export interface StreamEvent {
  type: 'job' | 'change';
  /** Bytes of the block, as sent. */
  bytes: number;
  /** The job as a viewer knows it after this event. */
  job: JobView;
  /** Outputs the event carried: all of them for `job`, those that changed for `change`. */
  changedOutputs: number;
}

/**
 * The events of a `GET /api/jobs/:id/events` body as they arrive, each applied the way the web client
 * applies it; heartbeat comments are skipped. Used by the HTTP tests and by the benchmark's client.
 */
export async function* streamEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  let job: JobView | null = null;
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = block.slice(block.indexOf('data: ') + 6);
      const bytes = Buffer.byteLength(block) + 2;
      if (block.startsWith('event: job\n')) {
        job = JSON.parse(data) as JobView;
        yield { type: 'job', bytes, job, changedOutputs: job.outputs.length };
      } else if (block.startsWith('event: change\n')) {
        if (job === null) throw new Error('a change event came before the job');
        const change = JSON.parse(data) as JobChange;
        job = applyJobChange(job, change);
        yield { type: 'change', bytes, job, changedOutputs: change.outputs.length };
      }
      end = buffered.indexOf('\n\n');
    }
  }
}

/** The job after each event of the stream. */
export async function* jobEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<JobView> {
  for await (const event of streamEvents(body)) yield event.job;
}
