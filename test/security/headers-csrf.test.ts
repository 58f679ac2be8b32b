import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { CONTENT_SECURITY_POLICY } from '../../src/http/security-headers.js';
import { clip } from '../support/clips.js';
import { createJobFromFiles, waitForJob } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Every answer — page, static file, API JSON, error, tus, ZIP, event stream — carries the security
 * headers; API answers are never cached. Every state-changing route refuses a request from another
 * site, even with a valid session cookie, and nothing happens.
 */
let server: TestServer;
let job: JobView;
const webRoot = path.join(mkdtempSync(path.join(os.tmpdir(), 'vidvar-web-')), 'dist');

beforeAll(async () => {
  mkdirSync(path.join(webRoot, 'assets'), { recursive: true });
  writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>vidvar</title>');
  writeFileSync(path.join(webRoot, 'assets', 'app.js'), 'console.log(1)');
  server = await startTestServer({ webRoot });
  await server.login();
  const video = clip({ width: 160, height: 284, duration: 1 });
  const res = await createJobFromFiles(server, [{ path: video, name: 'ad.mp4' }], {
    count: '1',
    intensity: 'subtle',
  });
  job = await waitForJob(server, ((await res.json()) as JobView).id);
  expect(job.status).toBe('done');
});
afterAll(async () => {
  await server?.close();
  rmSync(path.dirname(webRoot), { recursive: true, force: true });
});

function expectSecurityHeaders(res: Response, what: string) {
  expect(res.headers.get('content-security-policy'), what).toBe(CONTENT_SECURITY_POLICY);
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('referrer-policy'), what).toBe('no-referrer');
}

describe('security headers', () => {
  it('the policy is the one verified with the real client in Chromium', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('are on pages, static files and static 404s', async () => {
    for (const url of ['/', '/assets/app.js', '/no-such-file.js']) {
      const res = await fetch(`${server.url}${url}`);
      expectSecurityHeaders(res, url);
    }
  });

  it('are on every API answer, with no-store: JSON, errors, refusals, tus, events', async () => {
    const event = new AbortController();
    const answers: Array<[string, Promise<Response>]> = [
      ['health', fetch(`${server.url}/api/health`)],
      ['401', fetch(`${server.url}/api/jobs`)],
      ['jobs', server.api('/api/jobs')],
      ['404', server.api('/api/jobs/AAAAAAAAAAAAAAAAAAAAAAAA')],
      ['unknown route', server.api('/api/nothing-here')],
      [
        'bad json',
        server.api('/api/jobs', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{',
        }),
      ],
      ['tus options', server.api('/api/uploads', { method: 'OPTIONS' })],
      [
        'tus bad create',
        server.api('/api/uploads', { method: 'POST', headers: { 'tus-resumable': '1.0.0' } }),
      ],
      [
        'tus head 404',
        server.api('/api/uploads/AAAAAAAAAAAAAAAAAAAAAAAA', {
          method: 'HEAD',
          headers: { 'tus-resumable': '1.0.0' },
        }),
      ],
      ['events', server.api(`/api/jobs/${job.id}/events`, { signal: event.signal })],
      ['openapi', server.api('/api/openapi.json')],
    ];
    for (const [what, pending] of answers) {
      const res = await pending;
      expectSecurityHeaders(res, what);
      expect(res.headers.get('cache-control') ?? 'none', what).toMatch(/no-store/);
      await res.body?.cancel().catch(() => undefined);
    }
    event.abort();
  });

  it('are on downloads; the ZIP is not stored, a single video may be kept privately for seeking', async () => {
    const zip = await server.api(`/api/jobs/${job.id}/download`);
    expectSecurityHeaders(zip, 'zip');
    expect(zip.headers.get('cache-control')).toBe('no-store');
    await zip.arrayBuffer();
    const output = job.outputs[0];
    const video = await server.api(`/api/jobs/${job.id}/outputs/${output?.id}`);
    expectSecurityHeaders(video, 'video');
    expect(video.headers.get('cache-control')).toBe('private, max-age=3600');
    await video.arrayBuffer();
  });
});

describe('requests from another site', () => {
  it('the cookie is HttpOnly and SameSite=Strict', async () => {
    const res = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'wrong password' }),
    });
    expect(res.status).toBe(401);
    const ok = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ password: 'correct horse battery' }),
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/i);
  });

  it('get no CORS permission from the upload endpoint (no preflight passes, no answer is readable)', async () => {
    for (const method of ['OPTIONS', 'HEAD'] as const) {
      const res = await server.api('/api/uploads', {
        method,
        headers: {
          origin: 'https://evil.example',
          'tus-resumable': '1.0.0',
          'access-control-request-method': 'PATCH',
        },
      });
      expect(res.headers.get('access-control-allow-origin'), method).toBeNull();
      expect(res.headers.get('access-control-allow-credentials'), method).toBeNull();
    }
  });

  it('are refused on every state-changing route, with a valid session, and change nothing', async () => {
    const upload = readFileSync(clip({ width: 160, height: 284, duration: 1 }));
    const created = await server.api('/api/uploads', {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(upload.length) },
    });
    const location = created.headers.get('location') as string;
    const writes: Array<[string, string, RequestInit]> = [
      [
        'POST',
        '/api/session',
        { headers: { 'content-type': 'application/json' }, body: '{"password":"correct horse battery"}' },
      ],
      ['DELETE', '/api/session', {}],
      ['POST', '/api/uploads', { headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' } }],
      [
        'PATCH',
        location,
        {
          headers: {
            'tus-resumable': '1.0.0',
            'upload-offset': '0',
            'content-type': 'application/offset+octet-stream',
          },
          body: new Uint8Array(upload),
        },
      ],
      ['DELETE', location, { headers: { 'tus-resumable': '1.0.0' } }],
      [
        'POST',
        '/api/jobs',
        {
          headers: { 'content-type': 'application/json' },
          body: '{"uploads":["x"],"count":1,"intensity":"subtle"}',
        },
      ],
      ['POST', `/api/jobs/${job.id}/retry`, {}],
      ['DELETE', `/api/jobs/${job.id}`, {}],
      [
        'POST',
        '/api/compare',
        { headers: { 'content-type': 'application/json' }, body: '{"a":"x","b":"y"}' },
      ],
    ];
    for (const origin of ['https://evil.example', 'null', `http://localhost.evil.example`]) {
      for (const [method, url, init] of writes) {
        const headers = new Headers(init.headers);
        headers.set('origin', origin);
        const res = await server.api(url, { ...init, method, headers });
        expect(res.status, `${method} ${url} from ${origin}`).toBe(403);
        expect(await res.json()).toMatchObject({ code: 'bad_origin' });
      }
    }
    // Nothing happened: still signed in, the job and the upload are untouched.
    expect((await server.api('/api/session')).status).toBe(200);
    expect((await server.api(`/api/jobs/${job.id}`)).status).toBe(200);
    const head = await server.api(location, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
    expect(head.headers.get('upload-offset')).toBe('0');
    // The same requests from the page itself work.
    const cancel = await server.api(`/api/jobs/${job.id}`, {
      method: 'DELETE',
      headers: { origin: server.url },
    });
    expect(cancel.status).toBe(204);
  });
});
