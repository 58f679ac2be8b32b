import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clip } from '../support/clips.js';
import { sessionCookieOf } from '../support/http-client.js';
import { PROCESS_PASSWORD, startVidvar, type VidvarProcess } from '../support/server-process.js';

/**
 * The real server (main.ts and its logger) at the most verbose log level: the password, wrong
 * guesses, the session secret and session cookies never reach the logs. Health shows counts only.
 */
const SESSION_SECRET = 'session-secret-that-must-never-be-logged-0123456789';
const WRONG_GUESS = 'wrong-guess-that-must-never-be-logged';
let server: VidvarProcess;
let dataDir: string;
const cookies: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-secrets-'));
  server = await startVidvar(dataDir, { env: { LOG_LEVEL: 'trace', SESSION_SECRET } });
  const login = (body: string, cookie?: string) =>
    fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body,
    });
  expect((await login(JSON.stringify({ password: WRONG_GUESS }))).status).toBe(401);
  // Malformed JSON whose parser message would quote the password.
  expect((await login(`{"password": ${PROCESS_PASSWORD}}`)).status).toBe(400);
  expect((await login(PROCESS_PASSWORD)).status).toBe(400);
  cookies.push(await server.signIn());
  // Signing in again while holding a cookie, then requests that carry it: JSON, multipart, tus, a download.
  const again = await login(JSON.stringify({ password: PROCESS_PASSWORD }), server.cookie);
  server.cookie = sessionCookieOf(again) ?? '';
  cookies.push(server.cookie);
  await server.api('/api/jobs');
  const job = await server.postJob([clip({ width: 160, height: 284, duration: 1 })], {
    count: '1',
    intensity: 'subtle',
  });
  expect(job.status).toBe(201);
  await server.api('/api/uploads', {
    method: 'POST',
    headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' },
  });
  await server.api('/api/jobs/AAAAAAAAAAAAAAAAAAAAAAAA/download');
  await server.api('/api/session', { method: 'DELETE' });
  await server.api('/api/jobs');
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('logs', () => {
  it('were written at trace level, with request lines (the test looks at real logs)', () => {
    const logs = server.logs();
    expect(logs.some((line) => line.level === 10)).toBe(true);
    expect(logs.some((line) => line.msg === 'wrong password')).toBe(true);
    expect(logs.some((line) => JSON.stringify(line).includes('/api/session'))).toBe(true);
  });

  it('never contain the password, a wrong guess, the session secret or a session id', () => {
    const everything = `${server.output()}\n${JSON.stringify(server.logs())}`;
    expect(everything).not.toContain(PROCESS_PASSWORD);
    expect(everything).not.toContain(WRONG_GUESS);
    expect(everything).not.toContain(SESSION_SECRET);
    expect(cookies).toHaveLength(2);
    for (const cookie of cookies) {
      const id = cookie.slice('vidvar_session='.length);
      expect(id.length).toBeGreaterThan(20);
      expect(everything).not.toContain(id);
    }
  });
});

describe('health', () => {
  it('shows status, app version, job counts and disk space: no paths, ids or tool versions', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['activeJobs', 'disk', 'queuedJobs', 'status', 'version']);
    expect(Object.keys(body.disk as object).sort()).toEqual(['freeBytes', 'totalBytes']);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+$/);
    const text = JSON.stringify(body);
    expect(text).not.toContain(dataDir);
    expect(text).not.toMatch(/ffmpeg|\/|[A-Za-z0-9_-]{24}/i);
  });
});
