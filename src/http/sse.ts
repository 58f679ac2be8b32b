import type { FastifyReply, FastifyRequest } from 'fastify';
import { FINISHED_JOB_STATUSES } from '../job-status.js';
import type { JobEvents } from '../jobs/job-events.js';
import type { JobView } from './schemas.js';

/**
 * Server-sent events for one job: the whole JobView on connect and after every change, a heartbeat
 * comment so proxies keep the connection, and the end of the stream once the job is finished.
 * Every event carries the full state, so a slow client may skip intermediate ones without harm.
 */
export const HEARTBEAT_MS = 15_000;
const TERMINAL = new Set<JobView['status']>(FINISHED_JOB_STATUSES);

export interface JobStreamOptions {
  jobId: string;
  events: JobEvents;
  /** The current view; null once the job was deleted (canceled). */
  load: () => JobView | null;
  heartbeatMs?: number;
}

export function streamJobEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  options: JobStreamOptions,
): void {
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store, no-transform',
    Connection: 'keep-alive',
    // Stops nginx-like proxies from buffering the stream.
    'X-Accel-Buffering': 'no',
  });

  let last: JobView | null = null;
  let waitingForDrain = false;
  let dirty = false;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    res.off('drain', onDrain);
    if (!res.writableEnded) res.end();
  };

  const send = () => {
    if (closed) return;
    if (waitingForDrain) {
      dirty = true;
      return;
    }
    let view: JobView | null;
    try {
      view = options.load();
    } catch (error) {
      request.log.error({ err: error, jobId: options.jobId }, 'sse: reading the job failed');
      return;
    }
    // A deleted job was canceled: its last known state says so, then the stream ends.
    const current = view ?? (last ? { ...last, status: 'canceled' as const } : null);
    if (current === null) return close();
    last = current;
    const ok = res.write(`event: job\ndata: ${JSON.stringify(current)}\n\n`);
    if (TERMINAL.has(current.status)) return close();
    if (!ok) waitingForDrain = true;
  };

  const onDrain = () => {
    waitingForDrain = false;
    if (dirty) {
      dirty = false;
      send();
    }
  };

  const unsubscribe = options.events.subscribe(options.jobId, send);
  const heartbeat = setInterval(() => {
    if (!waitingForDrain) res.write(': heartbeat\n\n');
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  res.on('drain', onDrain);
  res.on('close', close);
  send();
}
