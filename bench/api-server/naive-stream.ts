import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JobView } from '../../src/http/schemas.js';
import type { JobEvents } from '../../src/jobs/job-events.js';

/**
 * The baseline for the event-stream figures: how streams worked before job feeds. Every viewer reads
 * the job from the store and serialises all of it on every change, for itself.
 */
export function naiveJobStream(
  reply: FastifyReply,
  _request: FastifyRequest,
  jobId: string,
  events: JobEvents,
  load: () => JobView | null,
): void {
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' });
  const send = () => {
    const view = load();
    if (view) res.write(`event: job\ndata: ${JSON.stringify(view)}\n\n`);
  };
  const unsubscribe = events.subscribe(jobId, send);
  res.on('close', unsubscribe);
  send();
}
