import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobFromUploads } from '../support/http-client.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ work: false, webClientStub: true });
});
afterAll(() => server?.close());

it('serves the web client without a session', async () => {
  const res = await fetch(`${server.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/html/);
  expect(await res.text()).toContain('<title>vidvar</title>');
});

describe('sign-in', () => {
  it('refuses the API without a session but answers health', async () => {
    const jobs = await fetch(`${server.url}/api/jobs`);
    expect(jobs.status).toBe(401);
    expect(await jobs.json()).toMatchObject({ code: 'unauthorized' });

    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    const body = await health.json();
    expect(body).toMatchObject({ status: 'ok', activeJobs: 0, queuedJobs: 0 });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.disk.freeBytes).toBeGreaterThan(0);
    expect(body.disk.totalBytes).toBeGreaterThanOrEqual(body.disk.freeBytes);
  });

  it('signs in with the password, keeps the session, and signs out server-side', async () => {
    const wrong = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'not it' }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'wrong_password' });

    const ok = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: TEST_PASSWORD }),
    });
    expect(ok.status).toBe(204);
    const setCookie = ok.headers.getSetCookie().find((c) => c.startsWith('vidvar_session=')) ?? '';
    expect(setCookie).toMatch(/^vidvar_session=[^;]{32,}/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/i);
    const cookie = setCookie.split(';')[0] as string;

    const status = await fetch(`${server.url}/api/session`, { headers: { cookie } });
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ authenticated: true });
    expect((await fetch(`${server.url}/api/jobs`, { headers: { cookie } })).status).toBe(200);

    const out = await fetch(`${server.url}/api/session`, { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(204);
    expect((await fetch(`${server.url}/api/session`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/jobs`, { headers: { cookie } })).status).toBe(401);
  });

  it('refuses writes from another site', async () => {
    await server.login();
    const foreign = await createJobFromUploads(server, ['x'.repeat(24)], { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ code: 'bad_origin' });
    // A client's own X-Forwarded-Host does not make a foreign origin ours.
    const forwarded = await createJobFromUploads(server, ['x'.repeat(24)], {
      origin: 'https://evil.example',
      'x-forwarded-host': 'evil.example',
    });
    expect(forwarded.status).toBe(403);
    const same = await createJobFromUploads(server, ['x'.repeat(24)], { origin: server.url });
    expect(same.status).toBe(404);
    expect(await same.json()).toMatchObject({ code: 'upload_not_found' });
  });

  it('refuses writes from another site behind a trusted proxy too: X-Forwarded-Host never names the site', async () => {
    // Behind a proxy anyone can still send their own X-Forwarded-Host through it; only Host (or PUBLIC_URL) counts.
    const proxied = await startTestServer({ work: false, env: { TRUST_PROXY: '1' } });
    try {
      await proxied.login();
      const forwarded = await createJobFromUploads(proxied, ['x'.repeat(24)], {
        origin: 'https://evil.example',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      });
      expect(forwarded.status).toBe(403);
      expect(await forwarded.json()).toMatchObject({ code: 'bad_origin' });
      const same = await createJobFromUploads(proxied, ['x'.repeat(24)], { origin: proxied.url });
      expect(same.status).toBe(404);
      expect(await same.json()).toMatchObject({ code: 'upload_not_found' });
    } finally {
      await proxied.close();
    }
  });
});

describe('API answers', () => {
  beforeAll(async () => {
    await server.login();
  });

  it('explains a bad request in words and never leaks a path', async () => {
    const res = await server.api('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uploads: [], count: 0, intensity: 'loud' }),
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.code).toBe('invalid_request');
    expect(body.message).toMatch(/count/);
    expect(body.message).toMatch(/intensity/);
    expect(JSON.stringify(body)).not.toContain(server.layout.root);

    const broken = await server.api('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"uploads":',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'invalid_request' });
  });

  it('answers 404 with a code for unknown jobs, outputs and routes', async () => {
    for (const pathname of [
      '/api/jobs/nope',
      '/api/jobs/nope/download',
      '/api/jobs/nope/outputs/x',
      '/api/nothing',
    ]) {
      const res = await server.api(pathname);
      expect(res.status, pathname).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found' });
    }
    expect((await server.api('/api/jobs/nope', { method: 'DELETE' })).status).toBe(404);
    expect((await server.api('/api/uploads/nope/info')).status).toBe(404);
  });

  it('lists no jobs on a fresh server', async () => {
    const res = await server.api('/api/jobs');
    expect(await res.json()).toEqual({ jobs: [] });
  });

  it('publishes an OpenAPI document generated from the routes', async () => {
    const res = await server.api('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/jobs',
        '/api/jobs/{id}',
        '/api/session',
        '/api/health',
        '/api/uploads/{id}/info',
      ]),
    );
    expect(
      doc.paths['/api/jobs'].post.requestBody.content['application/json'].schema.properties.count,
    ).toMatchObject({
      minimum: 1,
      maximum: 50,
    });
  });

  it('closes intake while draining, and says so in health', async () => {
    server.draining.value = true;
    try {
      const job = await createJobFromUploads(server, ['x'.repeat(24)]);
      expect(job.status).toBe(503);
      expect(job.headers.get('retry-after')).toBe('30');
      expect(await job.json()).toMatchObject({ code: 'draining' });

      const tus = await server.api('/api/uploads', {
        method: 'POST',
        headers: { 'tus-resumable': '1.0.0', 'upload-length': '100' },
      });
      expect(tus.status).toBe(503);
      expect(tus.headers.get('retry-after')).toBe('30');

      const health = await (await fetch(`${server.url}/api/health`)).json();
      expect(health.status).toBe('draining');
    } finally {
      server.draining.value = false;
    }
  });
});
