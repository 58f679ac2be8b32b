import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import { createJobFromFiles, videoForm, waitForJob } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * No answer ever shows a server path, a stack trace or an internal error message, whatever is
 * thrown at the server: broken JSON, huge bodies, unknown and malformed ids, malformed tus headers,
 * Range garbage, path tricks on static files, and real internal failures (a folder that is gone).
 */
let server: TestServer;
let job: JobView;
const webRoot = path.join(mkdtempSync(path.join(os.tmpdir(), 'vidvar-web-')), 'dist');

beforeAll(async () => {
  mkdirSync(webRoot, { recursive: true });
  writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>vidvar</title>');
  server = await startTestServer({ webRoot });
  await server.login();
  const res = await createJobFromFiles(
    server,
    [{ path: clip({ width: 160, height: 284, duration: 1 }), name: 'a.mp4' }],
    {
      count: '1',
      intensity: 'subtle',
    },
  );
  job = await waitForJob(server, ((await res.json()) as JobView).id);
  expect(job.status).toBe('done');
});
afterAll(async () => {
  await server?.close();
  rmSync(path.dirname(webRoot), { recursive: true, force: true });
});

const LEAKS: Array<[string, RegExp]> = [
  ['a temp path', /\/tmp\b/],
  ['a stack frame', /\bat [^\s]+ \(|\bat [^\s]+:\d+:\d+/],
  ['an error class', /\b[A-Z][A-Za-z]*Error:/],
  ['an errno', /\bE(NOENT|NOTDIR|ACCES|ISDIR|EXIST|PERM)\b/],
  ['a node_modules path', /node_modules/],
];

async function expectClean(res: Response, what: string): Promise<void> {
  const body = await res.text();
  expect(body, what).not.toContain(server.layout.root);
  expect(body, what).not.toContain(process.cwd());
  for (const [name, pattern] of LEAKS) expect(body, `${what}: ${name}`).not.toMatch(pattern);
  if (res.status >= 400 && body !== '' && requestIsApi(what)) {
    const json = JSON.parse(body) as { code: unknown; message: unknown };
    expect(typeof json.code, what).toBe('string');
    expect(typeof json.message, what).toBe('string');
  }
}

const requestIsApi = (what: string) => what.includes('/api/');

async function check(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await server.api(url, init);
  await expectClean(res.clone(), `${init.method ?? 'GET'} ${url} → ${res.status}`);
  return res;
}

const json = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
});

describe('bad requests', () => {
  it('broken, huge and wrongly typed bodies', async () => {
    expect((await check('/api/jobs', json('{'))).status).toBe(400);
    expect(
      (await check('/api/jobs', json('{"uploads": ["a"], "count": 1, "intensity": "subtle"'))).status,
    ).toBe(400);
    expect((await check('/api/jobs', json('null'))).status).toBe(400);
    expect((await check('/api/jobs', json('{"__proto__": {"x": 1}}'))).status).toBe(400);
    expect((await check('/api/jobs', json(`[${'1,'.repeat(40_000)}1]`))).status).toBe(413);
    const xml = { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' };
    expect((await check('/api/jobs', xml)).status).toBe(415);
    const noFiles = { method: 'POST', body: videoForm([], { count: 'many', intensity: 'subtle' }) };
    expect((await check('/api/jobs', noFiles)).status).toBe(400);
  });

  it('unknown and malformed ids', async () => {
    const unknown = 'AAAAAAAAAAAAAAAAAAAAAAAA';
    const output = job.outputs[0]?.id as string;
    for (const url of [
      `/api/jobs/${unknown}`,
      `/api/jobs/${unknown}/events`,
      `/api/jobs/${unknown}/download`,
      `/api/jobs/${job.id}/outputs/${unknown}`,
      `/api/jobs/${job.id}/outputs/${unknown}/thumbnail`,
      `/api/jobs/${unknown}/outputs/${output}`,
      `/api/uploads/${unknown}/info`,
      `/api/jobs/${'x'.repeat(200)}`,
      '/api/jobs/..%2F..%2Fetc%2Fpasswd',
      '/api/jobs/%00',
      `/api/jobs/${job.id}/outputs/..%2F..%2Fvidvar.db`,
      '/api/nothing/here',
    ]) {
      const res = await check(url);
      expect([400, 404], url).toContain(res.status);
    }
    for (const [method, url] of [
      ['DELETE', `/api/jobs/${unknown}`],
      ['POST', `/api/jobs/${unknown}/retry`],
      ['PUT', '/api/jobs'],
    ] as const) {
      expect([404, 405], `${method} ${url}`).toContain((await check(url, { method })).status);
    }
    // Ids in a body reach no path before the store has found them.
    for (const [a, b] of [
      ['../../vidvar.db', unknown],
      [unknown, '..%2F..%2Fetc%2Fpasswd'],
      ['\u0000', unknown],
      ['x'.repeat(65), unknown],
    ]) {
      const res = await check('/api/compare', json(JSON.stringify({ a, b })));
      expect([400, 404], `${a} ${b}`).toContain(res.status);
    }
    expect((await check('/api/compare', json('{"a":'))).status).toBe(400);
  });

  it('malformed tus requests', async () => {
    const created = await check('/api/uploads', {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' },
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') as string;
    const octets = 'application/offset+octet-stream';
    const unknown = '/api/uploads/AAAAAAAAAAAAAAAAAAAAAAAA';
    const requests: Array<[string, string, Record<string, string>]> = [
      ...['-1', 'abc', '1e30', '99999999999999999999999', ''].map(
        (length): [string, string, Record<string, string>] => [
          'POST',
          '/api/uploads',
          { 'upload-length': length },
        ],
      ),
      ['POST', '/api/uploads', { 'upload-length': '10', 'tus-resumable': '' }],
      ['POST', '/api/uploads', { 'upload-length': '10', 'tus-resumable': '0.2.2' }],
      ['POST', '/api/uploads', { 'upload-length': '10', 'upload-metadata': 'filename !!!notbase64, x' }],
      ['POST', '/api/uploads', { 'upload-defer-length': '1' }],
      ['PATCH', location, { 'upload-offset': '0', 'content-type': 'text/plain' }],
      ['PATCH', location, { 'upload-offset': '5', 'content-type': octets }],
      ['PATCH', location, { 'upload-offset': 'x', 'content-type': octets }],
      ['PATCH', location, { 'upload-offset': '0', 'content-type': octets }],
      ['PATCH', unknown, { 'upload-offset': '0', 'content-type': octets }],
      ['PATCH', '/api/uploads/..%2F..%2Fvidvar.db', { 'upload-offset': '0', 'content-type': octets }],
      ['HEAD', unknown, {}],
      ['DELETE', unknown, {}],
    ];
    for (const [method, url, headers] of requests) {
      const res = await check(url, {
        method,
        headers: { 'tus-resumable': '1.0.0', ...headers },
        ...(method === 'PATCH' ? { body: new Uint8Array(20) } : {}),
      });
      expect(res.status, `${method} ${url} ${JSON.stringify(headers)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${url} ${JSON.stringify(headers)}`).toBeLessThan(500);
    }
  });

  it('Range garbage on a video', async () => {
    const url = `/api/jobs/${job.id}/outputs/${job.outputs[0]?.id}`;
    for (const range of [
      'bytes=abc',
      'bytes=5-2',
      'bytes=99999999999999999999-',
      'bytes=-0',
      'bytes=0-1,5-6',
      'items=0-1',
      'bytes=--1',
    ]) {
      const res = await check(url, { headers: { range } });
      expect([200, 206, 416], range).toContain(res.status);
      await res.body?.cancel();
    }
  });

  it('path tricks on static files', async () => {
    for (const url of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/%00',
      '/index.html%00.js',
    ]) {
      const res = await fetch(`${server.url}${url}`);
      const body = await res.text();
      expect(body, url).not.toMatch(/root:x:0:0/);
      expect(body, url).not.toContain(server.layout.root);
      for (const [name, pattern] of LEAKS) expect(body, `${url}: ${name}`).not.toMatch(pattern);
    }
  });
});

describe('internal failures', () => {
  it('a folder that is gone gives a generic 500, for multipart and for tus', async () => {
    const uploads = server.layout.uploads;
    const moved = `${uploads}.away`;
    renameSync(uploads, moved);
    writeFileSync(uploads, 'not a folder');
    try {
      const form = videoForm([{ path: clip({ width: 160, height: 284, duration: 1 }), name: 'a.mp4' }], {
        count: '1',
        intensity: 'subtle',
      });
      const multipart = await check('/api/jobs', { method: 'POST', body: form });
      expect(multipart.status).toBe(500);
      expect(await multipart.json()).toEqual({
        code: 'internal',
        message: 'Something went wrong on our side.',
      });
      const tus = await check('/api/uploads', {
        method: 'POST',
        headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' },
      });
      expect(tus.status).toBe(500);
      expect(await tus.json()).toEqual({ code: 'internal', message: 'Something went wrong on our side.' });
    } finally {
      rmSync(uploads);
      renameSync(moved, uploads);
    }
    // And the server is still well.
    expect((await check('/api/jobs')).status).toBe(200);
  });
});
