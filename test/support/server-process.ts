import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { postSession, videoForm } from './http-client.js';

/**
 * The real server (`node bin/vidvar.js serve`, as `npm start` runs it, or `vidvar worker`) as a child process on a free port,
 * resolved once /api/health answers: for tests that signal or kill it and start it again on the same
 * DATA_DIR, for the browser tests and for the benchmark.
 */
export const PROCESS_PASSWORD = 'durable horse battery';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A long run at LOG_LEVEL=info must not grow the test process without end. */
const OUTPUT_KEPT = 200_000;
const START_TIMEOUT_MS = 60_000;

/** One pino line the server wrote. */
export interface LogLine {
  level: number;
  msg?: string;
  event?: string;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  /** Environment over the defaults (LOG_LEVEL=info, so that waitForLog sees the server's events). */
  env?: Record<string, string>;
  /** APP_PASSWORD, the one signIn() sends. */
  password?: string;
  /**
   * The server in its own process group, so that kill() takes its FFmpeg children with it, like a
   * machine that loses power, and leftBehind() can look for them. Off by default: such a server
   * outlives a Ctrl+C of the run that started it.
   */
  ownProcessGroup?: boolean;
  /** `worker` runs `vidvar worker` (no HTTP): it is ready once it logs so. */
  command?: 'serve' | 'worker';
}

export interface VidvarProcess {
  url: string;
  dataDir: string;
  pid: number;
  exited: Promise<Exit>;
  /** The session cookie once signed in ('' before). */
  cookie: string;
  /** Parsed pino lines from stdout, in order. */
  logs(): LogLine[];
  /** The last of what was written to stdout and stderr, for failure messages. */
  output(): string;
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  signIn(): Promise<string>;
  api(pathname: string, init?: RequestInit): Promise<Response>;
  /** POST /api/jobs as multipart/form-data with these files in field `files`. */
  postJob(files: string[], fields: Record<string, string>): Promise<Response>;
  /** SIGTERM to the server only (as the platform sends it); resolves when it exited. */
  terminate(): Promise<Exit>;
  /** SIGKILL to the server (and with ownProcessGroup every process it started); resolves when the server is gone. */
  kill(): Promise<Exit>;
  /** SIGTERM, then kill() if the server is still running after graceMs; resolves when it exited. */
  stop(graceMs?: number): Promise<Exit>;
  /** With ownProcessGroup: whether any process the server started (FFmpeg) is still alive, waiting up to timeoutMs for it to go. */
  leftBehind(timeoutMs?: number): Promise<boolean>;
}

/** The server cannot pick its own port (PORT=0 is not supported), so ask the kernel for a free one. */
async function freePort(): Promise<number> {
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

export async function startVidvar(dataDir: string, options: StartOptions = {}): Promise<VidvarProcess> {
  const { password = PROCESS_PASSWORD, ownProcessGroup = false, command = 'serve' } = options;
  // A restart on the same address (the browser keeps its page) names the port; else any free one.
  const port = options.env?.PORT ? Number(options.env.PORT) : await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'vidvar.js'), command], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      APP_PASSWORD: password,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownProcessGroup,
  });
  const pid = child.pid as number;
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let text = '';
  let partial = '';
  const keep = (chunk: string) => {
    text = (text + chunk).slice(-OUTPUT_KEPT);
  };
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    keep(chunk);
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        // A line that is not pino's: kept in output() only.
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.on('data', keep);
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal });
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const url = `http://127.0.0.1:${port}`;

  const proc: VidvarProcess = {
    url,
    dataDir,
    pid,
    exited,
    cookie: '',
    logs: () => [...lines],
    output: () => text,
    waitForLog(match, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found || !running()) {
            waiters.delete(check);
            clearTimeout(timer);
            if (found) resolve(found);
            else reject(new Error(`server exited before the expected log line:\n${text.slice(-4000)}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no such log line after ${timeoutMs} ms:\n${text.slice(-4000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async signIn() {
      const { res, cookie } = await postSession(url, password);
      if (!cookie) throw new Error(`sign-in answered ${res.status}`);
      proc.cookie = cookie;
      return cookie;
    },
    api(pathname, init = {}) {
      const headers = new Headers(init.headers);
      if (proc.cookie && !headers.has('cookie')) headers.set('cookie', proc.cookie);
      return fetch(`${url}${pathname}`, { ...init, headers });
    },
    postJob(files, fields) {
      const named = files.map((file) => ({ path: file, name: path.basename(file) }));
      return proc.api('/api/jobs', { method: 'POST', body: videoForm(named, fields) });
    },
    async terminate() {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (running()) {
        try {
          if (ownProcessGroup) process.kill(-pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          // The group is already gone.
        }
      }
      return exited;
    },
    async stop(graceMs = 30_000) {
      const killer = setTimeout(() => void proc.kill(), graceMs);
      try {
        return await proc.terminate();
      } finally {
        clearTimeout(killer);
      }
    },
    async leftBehind(timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          process.kill(-pid, 0);
        } catch {
          return false;
        }
        if (Date.now() > deadline) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };

  if (command === 'worker') {
    try {
      await proc.waitForLog((line) => line.msg === 'vidvar worker ready', START_TIMEOUT_MS);
      return proc;
    } catch (error) {
      await proc.kill();
      throw error;
    }
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (running() && Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return proc;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await proc.kill();
  throw new Error(`the server did not start:\n${text}`);
}
