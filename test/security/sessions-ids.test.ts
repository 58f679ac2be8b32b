import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import { createJobFromFiles, sessionCookieOf } from '../support/http-client.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../support/server.js';

/**
 * Sessions: a new id at every sign-in (a planted or old id never becomes valid), sign-out ends the
 * session on the server. Ids: every id a client sees is random, URL-safe and at least 128 bits.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ work: false });
});
afterAll(async () => {
  await server?.close();
});

async function signIn(cookie?: string): Promise<string> {
  const res = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ password: TEST_PASSWORD }),
  });
  expect(res.status).toBe(204);
  return sessionCookieOf(res) ?? '';
}

const status = async (cookie: string) =>
  (await fetch(`${server.url}/api/jobs`, { headers: { cookie } })).status;

/** base64url of at least 16 random bytes (128 bits): 22 characters or more. */
const UNGUESSABLE = /^[A-Za-z0-9_-]{22,}$/;
const bits = (id: string) => id.length * 6;

describe('sessions', () => {
  it('gives a new id at every sign-in, and the id the browser held stops working', async () => {
    const first = await signIn();
    const second = await signIn(first);
    expect(second).not.toBe(first);
    expect(await status(second)).toBe(200);
    expect(await status(first)).toBe(401);
  });

  it('never adopts an id the client made up (session fixation)', async () => {
    const planted = `vidvar_session=${'A'.repeat(43)}`;
    expect(await status(planted)).toBe(401);
    const issued = await signIn(planted);
    expect(issued).not.toBe(planted);
    expect(await status(planted)).toBe(401);
    expect(await status(issued)).toBe(200);
  });

  it('ends the session on the server at sign-out: the old cookie gets 401 afterwards', async () => {
    const cookie = await signIn();
    const out = await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/vidvar_session=;/);
    expect(await status(cookie)).toBe(401);
    expect((await fetch(`${server.url}/api/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('session ids are 256 random bits', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await signIn()).slice('vidvar_session='.length));
    expect(ids.size).toBe(5);
    for (const id of ids) {
      expect(id).toMatch(UNGUESSABLE);
      expect(bits(id)).toBeGreaterThanOrEqual(256);
    }
  });
});

describe('ids', () => {
  it('job, output, source and upload ids are unguessable', async () => {
    server.cookie = await signIn();
    const bytes = readFileSync(clip({ width: 160, height: 284, duration: 1 }));
    const created = await server.api('/api/uploads', {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length) },
    });
    const uploadId = (created.headers.get('location') as string).split('/').pop() as string;

    const res = await createJobFromFiles(
      server,
      [{ path: clip({ width: 160, height: 284, duration: 1 }), name: 'a.mp4' }],
      {
        count: '3',
        intensity: 'subtle',
      },
    );
    expect(res.status).toBe(201);
    const job = (await res.json()) as JobView;
    const ids = [job.id, uploadId, ...job.sources.map((s) => s.id), ...job.outputs.map((o) => o.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(UNGUESSABLE);
      expect(bits(id)).toBeGreaterThanOrEqual(128);
    }
  });
});
