import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from './api-client.js';
import { REPO_ROOT, VIDVAR_BIN } from './context.js';

/**
 * The real server as users start it (`node bin/vidvar.js serve`), as a child on 127.0.0.1 with its own
 * data folder, signed in once. The server cannot pick its own port (PORT=0 is not supported), so the
 * bench asks the kernel for a free one and hands it over.
 */

export interface RunningServer {
  pid: number;
  dataDir: string;
  client: ApiClient;
  /** SIGTERM (the server drains and exits 0), SIGKILL after 30 s; resolves to the exit code. */
  stop(): Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startServer(dataDir: string): Promise<RunningServer> {
  const port = await freePort();
  const password = randomBytes(12).toString('base64url');
  const child = spawn('node', [VIDVAR_BIN, 'serve'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      APP_PASSWORD: password,
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_SECONDS: '5',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    const done = exited(child);
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    return done.finally(() => clearTimeout(killer));
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (true) {
    if (child.exitCode !== null)
      throw new Error(`the server exited with ${child.exitCode}: ${output.trim()}`);
    const healthy = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not answer /api/health within 60 s: ${output.trim()}`);
    }
    await sleep(100);
  }
  try {
    const client = await ApiClient.signIn(baseUrl, password);
    return { pid: child.pid as number, dataDir, client, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
