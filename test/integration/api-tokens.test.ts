import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createApiToken, tusFilenameMetadata } from '../support/http-client.js';
import { signedInServerForFile } from '../support/server.js';

/** API tokens on the real server: made by a signed-in browser, used by scripts, revoked for good. */
const server = await signedInServerForFile({ work: false });

const createToken = (name: string) => createApiToken(server, name);

const withToken = (token: string, pathname: string, init: RequestInit = {}) =>
  fetch(`${server.url}${pathname}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
  });

describe('API tokens', () => {
  it('are shown once, stored only as hashes, and listed with their last use', async () => {
    const created = await createToken('Monday refresh');
    expect(created.token).toMatch(/^vv_[A-Za-z0-9_-]{43}$/);
    const before = (await (await server.api('/api/tokens')).json()) as {
      tokens: Array<Record<string, unknown>>;
    };
    const listed = before.tokens.find((t) => t.id === created.id);
    expect(listed).toMatchObject({ name: 'Monday refresh', lastUsedAt: null, revoked: false });
    expect(JSON.stringify(before)).not.toContain(created.token);

    expect((await withToken(created.token, '/api/jobs')).status).toBe(200);
    const after = (await (await server.api('/api/tokens')).json()) as {
      tokens: Array<Record<string, unknown>>;
    };
    expect(after.tokens.find((t) => t.id === created.id)?.lastUsedAt).toEqual(expect.any(String));

    const database = ['', '-wal']
      .map((suffix) => {
        try {
          return readFileSync(`${server.layout.database}${suffix}`).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    expect(database).not.toContain(created.token);
    expect(database).not.toContain(created.token.slice(3));
  });

  it('open every API route to a script, tus included, without the Origin check cookies get', async () => {
    const { token } = await createToken('pipeline');
    const upload = await withToken(token, '/api/uploads', {
      method: 'POST',
      headers: {
        'tus-resumable': '1.0.0',
        'upload-length': '1000',
        'upload-metadata': tusFilenameMetadata('a.mp4'),
      },
    });
    expect(upload.status).toBe(201);
    // Not an ambient credential: another site cannot make a browser send it.
    const foreign = await withToken(token, '/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ uploads: ['A'.repeat(24)], count: 1, intensity: 'subtle' }),
    });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ code: 'upload_not_found' });
  });

  it('stop working when revoked; unknown and malformed tokens are refused by name', async () => {
    const { id, token } = await createToken('old laptop');
    expect((await server.api(`/api/tokens/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await server.api(`/api/tokens/${id}`, { method: 'DELETE' })).status).toBe(404);
    for (const bad of [token, 'vv_nope', 'not-a-token']) {
      const res = await withToken(bad, '/api/jobs');
      expect(res.status, bad).toBe(401);
      expect(await res.json()).toMatchObject({
        code: 'invalid_token',
        message: 'Authorization: that API token is unknown or was revoked.',
      });
    }
    const malformed = await fetch(`${server.url}/api/jobs`, { headers: { authorization: 'Bearer' } });
    expect(malformed.status).toBe(401);
    expect(await malformed.json()).toMatchObject({ message: expect.stringMatching(/^Authorization: /) });
    const listed = (await (await server.api('/api/tokens')).json()) as {
      tokens: Array<Record<string, unknown>>;
    };
    expect(listed.tokens.find((t) => t.id === id)?.revoked).toBe(true);
  });

  it('cannot manage tokens: only a signed-in browser can', async () => {
    const { token } = await createToken('leaky');
    for (const [method, pathname] of [
      ['POST', '/api/tokens'],
      ['GET', '/api/tokens'],
      ['DELETE', '/api/tokens/whatever'],
    ] as const) {
      const res = await withToken(token, pathname, {
        method,
        ...(method === 'POST'
          ? { headers: { 'content-type': 'application/json' }, body: '{"name":"more"}' }
          : {}),
      });
      expect(res.status, `${method} ${pathname}`).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'session_required' });
    }
    expect((await fetch(`${server.url}/api/tokens`)).status).toBe(401);
  });

  it('refuses a token without a name, naming the field', async () => {
    const res = await server.api('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '  ' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/name/),
    });
  });
});
