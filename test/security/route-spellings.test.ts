import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATH_SPELLINGS } from '../support/path-spellings.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startBareApp } from './support/app.js';

/**
 * Without a session, every protected route answers 401 under every spelling of its path, or 404
 * where that spelling routes nowhere — never its real answer. The routes come from the OpenAPI
 * document, so a new route is covered without editing this file; tus and the document itself are
 * hidden from it and listed here.
 */
let server: TestServer;
const ID = 'AAAAAAAAAAAAAAAAAAAAAAAA';

interface Operation {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const HIDDEN_ROUTES: Operation[] = [
  { method: 'GET', path: '/api/openapi.json' },
  { method: 'POST', path: '/api/uploads', headers: { 'tus-resumable': '1.0.0', 'upload-length': '1000' } },
  { method: 'OPTIONS', path: '/api/uploads' },
  { method: 'HEAD', path: `/api/uploads/${ID}`, headers: { 'tus-resumable': '1.0.0' } },
  {
    method: 'PATCH',
    path: `/api/uploads/${ID}`,
    headers: {
      'tus-resumable': '1.0.0',
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    },
    body: 'x',
  },
  { method: 'DELETE', path: `/api/uploads/${ID}`, headers: { 'tus-resumable': '1.0.0' } },
];

/** Sent as written: no client library may tidy the path first (fetch would resolve `..`). */
function rawRequest(op: Operation): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const body = op.body ?? (op.method === 'POST' || op.method === 'PUT' ? '{}' : undefined);
    const headers: Record<string, string> = { ...op.headers };
    if (body !== undefined) {
      headers['content-length'] = String(Buffer.byteLength(body));
      headers['content-type'] ??= 'application/json';
    }
    const req = http.request(
      { host: url.hostname, port: url.port, method: op.method, path: op.path, headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function protectedOperations(): Promise<Operation[]> {
  await server.login();
  const doc = (await (await server.api('/api/openapi.json')).json()) as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  server.cookie = '';
  const ops: Operation[] = [];
  for (const [route, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      // Public routes say so in the document: an empty security list.
      if (Array.isArray(operation.security) && operation.security.length === 0) continue;
      ops.push({ method: method.toUpperCase(), path: route.replace(/\{[^}]+\}/g, ID) });
    }
  }
  return [...ops, ...HIDDEN_ROUTES];
}

beforeAll(async () => {
  server = await startTestServer({ work: false, webClientStub: true });
});
afterAll(() => server?.close());

describe('routes without a session, under every spelling of their path', () => {
  it('the document lists the protected API and marks only sign-in and health public', async () => {
    const ops = await protectedOperations();
    const names = ops.map((op) => `${op.method} ${op.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /api/jobs',
        'POST /api/jobs',
        `GET /api/jobs/${ID}`,
        `DELETE /api/jobs/${ID}`,
        `GET /api/jobs/${ID}/download`,
        `GET /api/jobs/${ID}/events`,
        `GET /api/jobs/${ID}/outputs/${ID}/thumbnail`,
        `GET /api/jobs/${ID}/sources/${ID}/thumbnail`,
        `POST /api/jobs/${ID}/retry`,
        `POST /api/jobs/${ID}/stop`,
        `GET /api/jobs/${ID}/manifest`,
        `GET /api/jobs/${ID}/outputs/${ID}`,
        `GET /api/uploads/${ID}/info`,
        'GET /api/uploads',
        'POST /api/uploads/from-url',
        'POST /api/compare',
        'POST /api/tokens',
        'GET /api/tokens',
        `DELETE /api/tokens/${ID}`,
      ]),
    );
    expect(names.filter((n) => n.includes('/api/session') || n.includes('/api/health'))).toEqual([]);
  });

  it('answer 401, or 404 where the spelling routes nowhere, and change nothing', async () => {
    const ops = await protectedOperations();
    const wrong: string[] = [];
    let unauthorized = 0;
    for (const op of ops) {
      for (const spelling of PATH_SPELLINGS) {
        const target = spelling.spell(op.path);
        const { status, body } = await rawRequest({ ...op, path: target });
        if (status === 401) unauthorized++;
        if (status !== 401 && status !== 404)
          wrong.push(`${op.method} ${target} (${spelling.name}) → ${status}`);
        else if (op.method !== 'HEAD' && !/^\{"code":"(unauthorized|not_found)"/.test(body)) {
          wrong.push(`${op.method} ${target} (${spelling.name}) → ${body.slice(0, 80)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // The percent-encoded spellings route to the real handlers and are refused there.
    expect(unauthorized).toBeGreaterThanOrEqual(ops.length * 4);
    expect(server.store.listJobs()).toEqual([]);
    expect(server.dataFiles()).toEqual([]);
  });
});

describe('a route added later', () => {
  it('needs a session unless it declares itself public', async () => {
    const bare = await startBareApp({}, (app) => {
      app.get('/api/added-later', async () => ({ secret: 'ads' }));
      app.get('/api/added-later-public', { config: { access: 'public' } }, async () => ({ open: true }));
    });
    try {
      for (const spelling of ['/api/added-later', '/%61pi/added-later', '/api/%61dded-later']) {
        const res = await fetch(`${bare.url}${spelling}`);
        expect(res.status, spelling).toBe(401);
        expect(res.headers.get('cache-control'), spelling).toBe('no-store');
      }
      expect((await fetch(`${bare.url}/api/added-later`, { headers: { cookie: bare.cookie } })).status).toBe(
        200,
      );
      expect((await fetch(`${bare.url}/api/added-later-public`)).status).toBe(200);
    } finally {
      await bare.close();
    }
  });
});
