import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FeedUpdate, FeedViewer, JobFeeds } from './job-feed.js';

/**
 * Server-sent events for one job: `event: job` with the whole JobView on connect, then `event:
 * change` with the job's moving fields and the outputs that changed; `event: job` again when a viewer
 * cannot apply a change (it fell behind, or the outputs were replaced). A heartbeat comment so proxies
 * keep the connection; the end of the stream once the job is finished. A viewer too slow to take
 * every event skips to the whole current job once it can write again.
 */
export const HEARTBEAT_MS = 15_000;

export interface JobStreamOptions {
  jobId: string;
  feeds: JobFeeds;
  heartbeatMs?: number;
  /** Called once when the stream ends, however it ends. */
  onEnd?: () => void;
}

/** False when the job does not exist (nothing was written). */
export async function streamJobEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  options: JobStreamOptions,
): Promise<boolean> {
  const res = reply.raw;
  let sentVersion = -1;
  let waitingForDrain = false;
  let closed = false;
  // Updates that come while the stream is being opened are covered by the snapshot it starts with.
  let opened = false;

  const write = (text: string, version: number) => {
    sentVersion = version;
    if (!res.write(text)) waitingForDrain = true;
  };

  const viewer: FeedViewer = {
    update(update: FeedUpdate) {
      if (!opened || closed || waitingForDrain) return;
      // A delta applies only on top of the version just before it.
      if (update.delta !== null && sentVersion === update.version - 1) write(update.delta, update.version);
      else write(update.snapshot(), update.version);
      if (update.final) close();
    },
  };

  const watching = await options.feeds.watch(options.jobId, viewer);
  if (!watching) return false;

  reply.hijack();
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store, no-transform',
    Connection: 'keep-alive',
    // Stops nginx-like proxies from buffering the stream.
    'X-Accel-Buffering': 'no',
  });

  const close = () => {
    if (closed) return;
    closed = true;
    watching.stop();
    clearInterval(heartbeat);
    res.off('drain', onDrain);
    if (!res.writableEnded) res.end();
    options.onEnd?.();
  };

  const onDrain = () => {
    waitingForDrain = false;
    const { feed } = watching;
    if (closed || sentVersion === feed.version) return;
    write(feed.snapshot(), feed.version);
    if (feed.final) close();
  };

  const heartbeat = setInterval(() => {
    if (!waitingForDrain) res.write(': heartbeat\n\n');
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  res.on('drain', onDrain);
  res.on('close', close);
  request.log.debug({ jobId: options.jobId }, 'event stream opened');
  opened = true;
  write(watching.feed.snapshot(), watching.feed.version);
  if (watching.feed.final) close();
  return true;
}
