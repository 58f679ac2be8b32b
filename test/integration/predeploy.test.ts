import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const script = path.resolve(import.meta.dirname, '..', '..', 'scripts', 'predeploy');

/** scripts/predeploy reads /api/health and refuses a deploy while jobs run, unless forced. */
describe('scripts/predeploy', () => {
  let health = { status: 'ok', activeJobs: 0, queuedJobs: 0 };
  let server: Server;
  let url = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url === '/api/health' ? health : {}));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const run = (...args: string[]) =>
    exec('bash', [script, ...args]).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );

  it('allows a deploy when nothing runs', async () => {
    health = { status: 'ok', activeJobs: 0, queuedJobs: 0 };
    const r = await run(url);
    expect(r.code).toBe(0);
    expect(r.out).toContain('safe to deploy');
  });

  it('refuses while a job runs, and deploys anyway with --force', async () => {
    health = { status: 'ok', activeJobs: 1, queuedJobs: 2 };
    const refused = await run(url);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('1 job(s) running and 2 queued');
    const forced = await run('--force', url);
    expect(forced.code).toBe(0);
  });

  it('fails when the health endpoint cannot be reached', async () => {
    const r = await run('http://127.0.0.1:9/');
    expect(r.code).toBe(1);
    expect(r.out).toContain('cannot reach');
  });
});
