import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { JobView } from '../../src/http/schemas.js';

/**
 * The real server (`node bin/vidvar.js serve`) as a child process, for tests that signal or kill it
 * and start it again on the same DATA_DIR. It runs in its own process group, so a SIGKILL takes its
 * FFmpeg children with it, like a machine that loses power.
 */
export const PROCESS_PASSWORD = 'durable horse battery';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

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

export interface VidvarProcess {
  url: string;
  dataDir: string;
  pid: number;
  exited: Promise<Exit>;
  /** The session cookie once signed in ('' before). */
  cookie: string;
  /** Parsed pino lines from stdout, in order. */
  logs(): LogLine[];
  /** Everything written to stdout and stderr, for failure messages. */
  output(): string;
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  signIn(): Promise<string>;
  api(pathname: string, init?: RequestInit): Promise<Response>;
  /** POST /api/jobs as multipart/form-data with these files in field `files`. */
  postJob(files: string[], fields: Record<string, string>): Promise<Response>;
  /** SIGTERM to the server only (as the platform sends it); resolves when it exited. */
  terminate(): Promise<Exit>;
  /** SIGKILL to the server and every process it started; resolves when the server is gone. */
  kill(): Promise<Exit>;
  /** Whether any process the server started (FFmpeg) is still alive, waiting up to timeoutMs for it to go. */
  leftBehind(timeoutMs?: number): Promise<boolean>;
}

export function newDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'vidvar-durability-'));
}

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

export async function startVidvar(dataDir: string, env: Record<string, string> = {}): Promise<VidvarProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'vidvar.js'), 'serve'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      APP_PASSWORD: PROCESS_PASSWORD,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid as number;
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let text = '';
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    text += chunk;
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
  child.stderr?.on('data', (chunk: string) => {
    text += chunk;
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal });
    }),
  );
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
          if (found || child.exitCode !== null || child.signalCode !== null) {
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
      const res = await fetch(`${url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ password: PROCESS_PASSWORD }),
      });
      const cookie = res.headers.get('set-cookie');
      if (res.status !== 204 || !cookie) throw new Error(`sign-in answered ${res.status}`);
      proc.cookie = cookie.split(';')[0] as string;
      return proc.cookie;
    },
    api(pathname, init = {}) {
      const headers = new Headers(init.headers);
      if (proc.cookie && !headers.has('cookie')) headers.set('cookie', proc.cookie);
      return fetch(`${url}${pathname}`, { ...init, headers });
    },
    postJob(files, fields) {
      const form = new FormData();
      for (const [key, value] of Object.entries(fields)) form.append(key, value);
      for (const file of files) form.append('files', new Blob([readFileSync(file)]), path.basename(file));
      return proc.api('/api/jobs', { method: 'POST', body: form });
    },
    async terminate() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // The group is already gone.
        }
      }
      return exited;
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

  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) break;
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

const TERMINAL = new Set(['done', 'failed', 'canceled']);

/** Polls GET /api/jobs/:id until `until` holds (by default: a terminal state). */
export async function waitForJob(
  proc: VidvarProcess,
  jobId: string,
  until: (job: JobView) => boolean = (job) => TERMINAL.has(job.status),
  timeoutMs = 60_000,
): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await proc.api(`/api/jobs/${jobId}`);
    if (res.status !== 200) throw new Error(`GET job answered ${res.status}`);
    const job = (await res.json()) as JobView;
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface OutputRow {
  id: string;
  jobId: string;
  sourceId: string;
  status: string;
  attempts: number;
}

export interface DatabaseRows {
  jobs: Array<{ id: string; status: string }>;
  sources: Array<{ id: string; jobId: string; deleted: number }>;
  outputs: OutputRow[];
  uploads: Array<{ id: string }>;
}

/** The rows as the server left them; read-only, for use after the server exited. */
export function readDatabase(dataDir: string): DatabaseRows {
  const db = new Database(path.join(dataDir, 'vidvar.db'), { readonly: true, fileMustExist: true });
  try {
    return {
      jobs: db.prepare('SELECT id, status FROM jobs ORDER BY created_at').all() as DatabaseRows['jobs'],
      sources: db
        .prepare('SELECT id, job_id AS jobId, deleted FROM sources ORDER BY position')
        .all() as DatabaseRows['sources'],
      outputs: db
        .prepare(
          `SELECT o.id, o.job_id AS jobId, o.source_id AS sourceId, o.status, o.attempts
           FROM outputs o JOIN sources s ON s.id = o.source_id ORDER BY s.position, o.idx`,
        )
        .all() as OutputRow[],
      uploads: db.prepare('SELECT id FROM uploads').all() as DatabaseRows['uploads'],
    };
  } finally {
    db.close();
  }
}

/** Files (not folders) under dir, relative to it; [] when dir does not exist. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (!statSync(full).isDirectory()) return [name];
    return filesUnder(full).map((inner) => path.join(name, inner));
  });
}
