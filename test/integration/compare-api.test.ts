import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clip, ffmpegFile, QUICK_H264 } from '../support/clips.js';
import { tusUpload } from '../support/http-client.js';
import { ffmpegChildren, isRunning } from '../support/processes.js';
import { signedInServerForFile } from '../support/server.js';

const server = await signedInServerForFile({ work: false });

const source = clip();
// The same copy as the CLI's test: cached by a name that carries the source's.
const reencoded = ffmpegFile(`${path.basename(source, '.mp4')}-reencoded.mp4`, [
  '-i',
  source,
  ...QUICK_H264,
  '-c:a',
  'copy',
  '-crf',
  '30',
]);

async function upload(file: string, name: string): Promise<string> {
  const { create, patch } = await tusUpload(server, readFileSync(file), name);
  expect(patch?.status).toBe(204);
  return (create.headers.get('location') ?? '').split('/').pop() as string;
}

function compare(body: unknown, init: RequestInit = {}) {
  return server.api('/api/compare', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });
}

// Uploaded once for the file: each tus upload is admitted (a few FFmpeg runs).
const [ad, copy] = await Promise.all([upload(source, 'ad.mp4'), upload(reencoded, 'copy.mp4')]);

describe('POST /api/compare', () => {
  it('answers the verdict as the CLI prints it with --json, and leaves the uploads in place', async () => {
    const res = await compare({ a: ad, b: copy });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      match: true,
      verdict: 'match',
      queryMatchedPercent: 100,
      comparedMatchedPercent: 100,
      nearestBits: expect.any(Number),
      queryFramesHashed: 60,
      queryFrames: 60,
      comparedFramesHashed: 60,
      comparedFrames: 60,
    });
    expect(body.nearestBits).toBeLessThanOrEqual(31);
    for (const id of [ad, copy]) expect((await server.api(`/api/uploads/${id}/info`)).status).toBe(200);
  });

  it('runs one comparison at a time: a second one meanwhile gets 429 with Retry-After', async () => {
    const answers = await Promise.all([compare({ a: copy, b: ad }), compare({ a: ad, b: copy })]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 429]);
    const busy = answers.find((r) => r.status === 429);
    expect(busy?.headers.get('retry-after')).toBe('10');
    expect(await busy?.json()).toMatchObject({ code: 'busy' });
  });

  it('stops hashing when the client goes away', async () => {
    // A minute of video: its every-frame hashing takes several seconds, far longer than the waits below.
    const long = await upload(clip({ duration: 60, audio: 'none' }), 'long.mp4');
    const client = new AbortController();
    const pending = compare({ a: long, b: long }, { signal: client.signal }).catch(() => null);
    const decoders = await waitFor(() => {
      const pids = ffmpegChildren('rawvideo', 'unix:');
      return pids.length === 2 ? pids : null;
    }, 15_000);
    client.abort();
    await pending;
    await waitFor(() => decoders.every((pid) => !isRunning(pid)) || null, 3000);
    // …and the next comparison may start.
    expect((await compare({ a: ad, b: copy })).status).toBe(200);
  });

  it('names the missing upload: 404', async () => {
    const res = await compare({ a: ad, b: 'x'.repeat(24) });
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.code).toBe('upload_not_found');
    expect(body.message).toMatch(/^Upload "b" is not on the server/);
    const first = await compare({ a: 'nope', b: copy });
    expect((await first.json()).message).toMatch(/^Upload "a"/);
  });

  it.each([
    ['no b', { a: 'x'.repeat(24) }],
    ['a number', { a: 1, b: 'x'.repeat(24) }],
    ['an empty id', { a: '', b: 'x'.repeat(24) }],
    ['a list', ['a', 'b']],
  ])('refuses a bad body (%s): 400', async (_kind, body) => {
    const res = await compare(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_request' });
  });

  it('needs a session: 401', async () => {
    const res = await fetch(`${server.url}/api/compare`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: ad, b: copy }),
    });
    expect(res.status).toBe(401);
  });

  it('is refused while the server drains: 503', async () => {
    server.draining.value = true;
    try {
      const res = await compare({ a: ad, b: copy });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: 'draining' });
    } finally {
      server.draining.value = false;
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = await (await server.api('/api/openapi.json')).json();
    const operation = doc.paths['/api/compare'].post;
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(Object.keys(operation.requestBody.content['application/json'].schema.properties)).toEqual([
      'a',
      'b',
    ]);
  });
});

async function waitFor<T>(probe: () => T | null, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
