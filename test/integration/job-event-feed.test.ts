import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JobFeeds } from '../../src/http/job-feed.js';
import type { JobView } from '../../src/http/schemas.js';
import { JobEvents } from '../../src/jobs/job-events.js';
import { clip } from '../support/clips.js';
import { tusUpload } from '../support/http-client.js';
import { type StreamEvent, streamEvents } from '../support/job-event-stream.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A job's event stream: built once per change whatever the number of viewers; the whole job (`event:
 * job`) on connect or after falling behind, then small `event: change` blocks with the moving job
 * fields and the outputs that changed; a bounded number of streams per sign-in (a session or an API
 * token). The worker is off: the test moves the job itself, as the worker would.
 */
let server: TestServer;
let job: JobView;

beforeAll(async () => {
  server = await startTestServer({ work: false });
  await server.login();
  const { create } = await tusUpload(
    server,
    readFileSync(clip({ width: 160, height: 284, duration: 1 })),
    'ad.mp4',
  );
  const upload = (create.headers.get('location') as string).split('/').pop() as string;
  const res = await server.api('/api/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ uploads: [upload], count: 20, intensity: 'medium' }),
  });
  job = (await res.json()) as JobView;
});
afterAll(() => server?.close());

interface Watcher {
  events: StreamEvent[];
  /** Resolves once `until` said enough, the stream ended, or it was aborted. */
  done: Promise<void>;
  abort(): void;
}

/** Opens a stream and collects its events until `until` says enough. */
async function watch(
  until: (events: StreamEvent[]) => boolean,
  headers: Record<string, string> = { cookie: server.cookie },
): Promise<Watcher> {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/jobs/${job.id}/events`, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  const events: StreamEvent[] = [];
  const read = async () => {
    for await (const event of streamEvents(res.body as unknown as AsyncIterable<Uint8Array>)) {
      events.push(event);
      if (until(events)) return;
    }
  };
  // An aborted stream ends its body with an error: that is how this watcher stops, not a failure.
  const done = read().catch((error: unknown) => {
    if (!controller.signal.aborted) throw error;
  });
  return { events, done, abort: () => controller.abort() };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('a job event stream', () => {
  it('sends the whole job first, then only what changed: the job fields that move and the outputs that moved', async () => {
    const viewers = await Promise.all([1, 2, 3].map(() => watch((events) => events.length >= 5)));
    await tick();
    const [first, second] = job.outputs;
    server.store.claimNextJob(Date.now());
    server.events.publish(job.id);
    await tick();
    server.store.setOutputRunning(first?.id as string, Date.now());
    server.store.setOutputProgress(first?.id as string, 0.25);
    server.events.publish(job.id);
    await tick();
    server.store.setOutputProgress(first?.id as string, 0.5);
    server.store.setJobProgress(job.id, 0.05, Date.now());
    server.events.publish(job.id);
    await tick();
    server.store.setOutputRunning(second?.id as string, Date.now());
    server.events.publish(job.id);
    await Promise.all(viewers.map((viewer) => viewer.done));

    for (const { events } of viewers) {
      expect(events.map((e) => e.type)).toEqual(['job', 'change', 'change', 'change', 'change']);
      expect(events.map((e) => e.job.status)).toEqual(['queued', 'running', 'running', 'running', 'running']);
      // Each change names only the outputs that moved.
      expect(events.slice(1).map((e) => e.changedOutputs)).toEqual([0, 1, 1, 1]);
      const moved = events[3] as StreamEvent;
      expect(moved.job.progress).toBe(0.05);
      expect(moved.job.outputs.find((o) => o.id === first?.id)?.progress).toBe(0.5);
      // A change event is a small fraction of the whole job.
      expect(moved.bytes * 10).toBeLessThan((events[0] as StreamEvent).bytes);
      // After applying every event, a viewer holds exactly what the API answers.
      const answer = (await (await server.api(`/api/jobs/${job.id}`)).json()) as JobView;
      expect(events.at(-1)?.job).toEqual(answer);
    }
  });

  it('allows a bounded number of open streams per sign-in', async () => {
    const open = await Promise.all(Array.from({ length: 20 }, () => watch(() => false)));
    await tick();
    const refused = await server.api(`/api/jobs/${job.id}/events`);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'too_many_streams' });
    // Another sign-in is counted apart.
    const other = await startTestServerCookie();
    const elsewhere = await fetch(`${server.url}/api/jobs/${job.id}/events`, { headers: { cookie: other } });
    expect(elsewhere.status).toBe(200);
    await elsewhere.body?.cancel();
    // Closing one frees its place.
    open[0]?.abort();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await server.api(`/api/jobs/${job.id}/events`);
    expect(again.status).toBe(200);
    await again.body?.cancel();
    for (const stream of open) stream.abort();
    await Promise.all(open.map((stream) => stream.done));
  });

  it('counts the streams of an API token on the token, whatever cookie comes with it', async () => {
    const created = await server.api('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'streams' }),
    });
    const { token } = (await created.json()) as { token: string };
    // The token is what is checked; a cookie beside it is never looked at, so it cannot open a new count.
    const asScript = (i: number) => ({
      authorization: `Bearer ${token}`,
      cookie: `vidvar_session=made-up-${i}`,
    });
    const open = await Promise.all(Array.from({ length: 20 }, (_, i) => watch(() => false, asScript(i))));
    await tick();
    const refused = await fetch(`${server.url}/api/jobs/${job.id}/events`, { headers: asScript(20) });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'too_many_streams' });
    // A browser signed in with the password is counted apart, and still gets its own 20.
    const browser = { cookie: await startTestServerCookie() };
    const own = await Promise.all(Array.from({ length: 20 }, () => watch(() => false, browser)));
    await tick();
    const full = await fetch(`${server.url}/api/jobs/${job.id}/events`, { headers: browser });
    expect(full.status).toBe(429);
    await full.body?.cancel();
    for (const stream of [...open, ...own]) stream.abort();
    await Promise.all([...open, ...own].map((stream) => stream.done));
  });
});

async function startTestServerCookie(): Promise<string> {
  const saved = server.cookie;
  await server.login();
  const fresh = server.cookie;
  server.cookie = saved;
  return fresh;
}

describe('a viewer that cannot keep up', () => {
  it('skips to the whole current job once it can take events again', async () => {
    const { create } = await tusUpload(
      server,
      readFileSync(clip({ width: 160, height: 284, duration: 1 })),
      'slow.mp4',
    );
    const upload = (create.headers.get('location') as string).split('/').pop() as string;
    const res = await server.api('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uploads: [upload], count: 50, intensity: 'strong' }),
    });
    const busy = (await res.json()) as JobView;
    const stream = await server.api(`/api/jobs/${busy.id}/events`);
    // Nobody reads while every output moves, change after change: the socket fills up.
    for (let step = 1; step <= 400; step++) {
      for (const output of busy.outputs) server.store.setOutputProgress(output.id, step / 1000);
      server.events.publish(busy.id);
      if (step % 50 === 0) await tick();
    }
    server.store.setJobStatus(busy.id, 'failed', Date.now(), 'stopped by the test');
    server.events.publish(busy.id);
    const events: StreamEvent[] = [];
    for await (const event of streamEvents(stream.body as unknown as AsyncIterable<Uint8Array>))
      events.push(event);
    // Far fewer events than changes, a whole job after the first, and the right final state.
    expect(events.length).toBeLessThan(400);
    expect(events.slice(1).some((e) => e.type === 'job')).toBe(true);
    const answer = (await (await server.api(`/api/jobs/${busy.id}`)).json()) as JobView;
    expect(events.at(-1)?.job).toEqual(answer);
    expect(answer.status).toBe('failed');
  });
});

describe('job feeds', () => {
  it('read the store once per change, whatever the number of viewers', async () => {
    const events = new JobEvents();
    let loads = 0;
    const feeds = new JobFeeds(
      events,
      async () => {
        loads++;
        return { ...job, progress: loads / 100 };
      },
      (error) => {
        throw error;
      },
    );
    const received: Array<string | null> = [];
    const stops: Array<(() => void) | undefined> = [];
    for (let i = 0; i < 200; i++) {
      const watching = await feeds.watch(job.id, { update: (u) => received.push(u.delta) });
      stops.push(watching?.stop);
    }
    expect(loads).toBe(1);
    events.publish(job.id);
    await vi.waitFor(() => expect(received).toHaveLength(200));
    expect(loads).toBe(2);
    expect(received).toHaveLength(200);
    expect(new Set(received).size).toBe(1);
    for (const stop of stops) stop?.();
    expect(feeds.size).toBe(0);
    events.publish(job.id);
    expect(loads).toBe(2);
  });
});
