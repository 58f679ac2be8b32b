import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapPool } from '../../src/lib/map-pool.js';
import { PATH_SPELLINGS } from '../support/path-spellings.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startBareApp } from './support/app.js';

/**
 * Without a session, every protected route answers 401 under every spelling of its path, or 404
 * where that spelling routes nowhere — never its real answer; HEAD goes wherever GET does. Signed in,
 * a write from another site's page (a foreign Origin) answers 403 or 404 under every spelling.
 * Every answer is `no-store`. The routes come from the OpenAPI document, so a new route is covered
 * without editing this file; tus and the document itself are hidden from it and listed here.
 */
let server: TestServer;
let doc: Operation[];
let sessionCookie: string;
const ID = 'AAAAAAAAAAAAAAAAAAAAAAAA';
/** Requests in flight at once: enough to keep the suite quick, few enough for a shared CI machine. */
const IN_FLIGHT = 8;

interface Operation {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Needs no session (only public routes of the document are). */
  public?: boolean;
}

const TUS = { 'tus-resumable': '1.0.0' };
const TUS_PATCH = { ...TUS, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' };
const PREFLIGHT = { origin: 'https://evil.example', 'access-control-request-method': 'PATCH' };

const HIDDEN_ROUTES: Operation[] = [
  { method: 'GET', path: '/api/openapi.json' },
  { method: 'HEAD', path: '/api/openapi.json' },
  { method: 'POST', path: '/api/uploads', headers: { ...TUS, 'upload-length': '1000' } },
  { method: 'PATCH', path: '/api/uploads', headers: TUS_PATCH, body: 'x' },
  { method: 'HEAD', path: '/api/uploads', headers: TUS },
  { method: 'DELETE', path: '/api/uploads', headers: TUS },
  { method: 'OPTIONS', path: '/api/uploads', headers: PREFLIGHT },
  { method: 'PATCH', path: `/api/uploads/${ID}`, headers: TUS_PATCH, body: 'x' },
  { method: 'HEAD', path: `/api/uploads/${ID}`, headers: TUS },
  { method: 'DELETE', path: `/api/uploads/${ID}`, headers: TUS },
  { method: 'OPTIONS', path: `/api/uploads/${ID}`, headers: PREFLIGHT },
];

const WRITES = new Set(['POST', 'PATCH', 'DELETE']);

interface Answer {
  status: number;
  body: string;
  cacheControl: string | undefined;
}

/** Sent as written: no client library may tidy the path first (fetch would resolve `..`). */
function rawRequest(op: Operation): Promise<Answer> {
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
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text, cacheControl: res.headers['cache-control'] }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every operation of the OpenAPI document, and a HEAD beside each GET (Fastify answers HEAD for GET). */
async function documentedOperations(): Promise<Operation[]> {
  const answer = (await (await server.api('/api/openapi.json')).json()) as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  const ops: Operation[] = [];
  for (const [route, methods] of Object.entries(answer.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const path = route.replace(/\{[^}]+\}/g, ID);
      // Public routes say so in the document: an empty security list.
      const open = Array.isArray(operation.security) && operation.security.length === 0;
      ops.push({ method: method.toUpperCase(), path, public: open });
      if (method === 'get') ops.push({ method: 'HEAD', path, public: open });
    }
  }
  return ops;
}

const protectedOperations = () => [...doc.filter((op) => !op.public), ...HIDDEN_ROUTES];
/** Every write, public ones too: signing out or in from another site is refused as well. */
const writeOperations = () => [...doc, ...HIDDEN_ROUTES].filter((op) => WRITES.has(op.method));

/** Each operation under each spelling of its path, sent a few at a time: what came back, spelled out. */
async function underEverySpelling(
  ops: Operation[],
  extraHeaders: Record<string, string>,
): Promise<Array<{ name: string; op: Operation; answer: Answer }>> {
  const sent = ops.flatMap((op) =>
    PATH_SPELLINGS.map((spelling) => ({
      name: `${op.method} ${spelling.spell(op.path)} (${spelling.name})`,
      op: { ...op, path: spelling.spell(op.path), headers: { ...op.headers, ...extraHeaders } },
    })),
  );
  return mapPool(sent, IN_FLIGHT, async ({ name, op }) => ({ name, op, answer: await rawRequest(op) }));
}

beforeAll(async () => {
  server = await startTestServer({ work: false, webClientStub: true });
  await server.login();
  sessionCookie = server.cookie;
  doc = await documentedOperations();
});
afterAll(() => server?.close());

describe('routes without a session, under every spelling of their path', () => {
  it('the document lists the protected API and marks only sign-in and health public', () => {
    const names = protectedOperations().map((op) => `${op.method} ${op.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /api/jobs',
        'HEAD /api/jobs',
        'POST /api/jobs',
        `GET /api/jobs/${ID}`,
        `HEAD /api/jobs/${ID}`,
        `DELETE /api/jobs/${ID}`,
        `GET /api/jobs/${ID}/download`,
        `HEAD /api/jobs/${ID}/download`,
        `GET /api/jobs/${ID}/events`,
        `GET /api/jobs/${ID}/outputs/${ID}/thumbnail`,
        `GET /api/jobs/${ID}/sources/${ID}/thumbnail`,
        `POST /api/jobs/${ID}/retry`,
        `POST /api/jobs/${ID}/stop`,
        `GET /api/jobs/${ID}/manifest`,
        `GET /api/jobs/${ID}/outputs/${ID}`,
        `HEAD /api/jobs/${ID}/outputs/${ID}`,
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
    const heads = names.filter((n) => n.startsWith('HEAD ')).map((n) => n.slice(5));
    const gets = names.filter((n) => n.startsWith('GET ')).map((n) => n.slice(4));
    expect(heads).toEqual(expect.arrayContaining(gets));
  });

  it('answer 401, or 404 where the spelling routes nowhere, no-store, and change nothing', async () => {
    const ops = protectedOperations();
    const wrong: string[] = [];
    let unauthorized = 0;
    for (const { name, op, answer } of await underEverySpelling(ops, {})) {
      if (answer.status === 401) unauthorized++;
      if (answer.status !== 401 && answer.status !== 404) wrong.push(`${name} → ${answer.status}`);
      else if (op.method !== 'HEAD' && !/^\{"code":"(unauthorized|not_found)"/.test(answer.body)) {
        wrong.push(`${name} → ${answer.body.slice(0, 80)}`);
      }
      if (answer.cacheControl !== 'no-store') wrong.push(`${name} → cache-control: ${answer.cacheControl}`);
    }
    expect(wrong).toEqual([]);
    // The percent-encoded spellings route to the real handlers and are refused there.
    expect(unauthorized).toBeGreaterThanOrEqual(ops.length * 4);
    expect(await server.store.listJobs()).toEqual([]);
    expect(server.dataFiles()).toEqual([]);
  });
});

describe('writes from another site, signed in, under every spelling of their path', () => {
  it('answer 403, or 404 where the spelling routes nowhere, no-store, and change nothing', async () => {
    const ops = writeOperations();
    expect(ops.map((op) => `${op.method} ${op.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/session',
        'DELETE /api/session',
        'POST /api/jobs',
        `DELETE /api/jobs/${ID}`,
        'POST /api/tokens',
        'POST /api/uploads',
        `PATCH /api/uploads/${ID}`,
        `DELETE /api/uploads/${ID}`,
      ]),
    );
    const wrong: string[] = [];
    let forbidden = 0;
    const foreign = { cookie: sessionCookie, origin: 'https://evil.example' };
    for (const { name, answer } of await underEverySpelling(ops, foreign)) {
      if (answer.status === 403) forbidden++;
      if (answer.status !== 403 && answer.status !== 404) wrong.push(`${name} → ${answer.status}`);
      else if (!/^\{"code":"(bad_origin|not_found)"/.test(answer.body)) {
        wrong.push(`${name} → ${answer.body.slice(0, 80)}`);
      }
      if (answer.cacheControl !== 'no-store') wrong.push(`${name} → cache-control: ${answer.cacheControl}`);
    }
    expect(wrong).toEqual([]);
    expect(forbidden).toBeGreaterThanOrEqual(ops.length * 4);
    // Nothing was written, and the session was not signed out.
    expect(await server.store.listJobs()).toEqual([]);
    expect(server.dataFiles()).toEqual([]);
    const tokens = await fetch(`${server.url}/api/tokens`, { headers: { cookie: sessionCookie } });
    expect(tokens.status).toBe(200);
    expect(await tokens.json()).toEqual({ tokens: [] });
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
