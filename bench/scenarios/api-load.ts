import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../../src/http/schemas.js';
import { type BenchContext, REPO_ROOT, type ScenarioOutcome } from '../context.js';
import { runFfmpeg } from '../media.js';
import { readProcessTree } from '../procfs.js';
import { type Figure, percentile, ratio } from '../report.js';

/**
 * Scenario 9: the API under load, on its own server process with the worker off (the bench moves the
 * jobs itself, so FFmpeg costs nothing here).
 * - Event streams: 200 viewers of a 50-output job for 10 s of changes, two a second, one in four a
 *   finished output. The server's CPU and the bytes sent, against the old way (every viewer reads
 *   and sends the whole job on every change) on the same server in the same run.
 * - POST /api/jobs latency with 10,000 files under DATA_DIR, against an empty data folder; beside it,
 *   what one walk of that folder costs (the old code walked synchronously on requests).
 */
const VIEWERS = 200;
const STREAMS_PER_SESSION = 20;

interface ApiServer {
  url: string;
  pid: number;
  child: ChildProcess;
}

async function startApiServer(dataDir: string, password: string): Promise<ApiServer> {
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [path.join(REPO_ROOT, 'bench', 'api-server', 'serve.ts'), dataDir, password], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const ready = /READY (\S+)/.exec(text);
      if (ready) resolve(ready[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`api server exited with ${code} before it was ready`)));
  });
  return { url, pid: child.pid as number, child };
}

async function signIn(url: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('vidvar_session='));
  if (!cookie) throw new Error(`sign in answered ${res.status}`);
  return cookie.split(';')[0] as string;
}

async function call<T>(url: string, cookie: string, pathname: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${pathname}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${pathname}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A tiny admitted upload through tus; its id. */
async function uploadClip(url: string, cookie: string, file: string): Promise<string> {
  const bytes = await readFile(file);
  const create = await fetch(`${url}/api/uploads`, {
    method: 'POST',
    headers: { cookie, 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length) },
  });
  const location = create.headers.get('location');
  if (create.status !== 201 || !location) throw new Error(`tus create answered ${create.status}`);
  const patch = await fetch(new URL(location, url), {
    method: 'PATCH',
    headers: {
      cookie,
      'tus-resumable': '1.0.0',
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    },
    body: bytes,
  });
  if (patch.status !== 204) throw new Error(`tus patch answered ${patch.status}: ${await patch.text()}`);
  return location.split('/').pop() as string;
}

const createJob = (url: string, cookie: string, upload: string, count: number) =>
  call<JobView>(url, cookie, '/api/jobs', { uploads: [upload], count, intensity: 'medium' });

/** The server's own CPU: tsx runs it in a child of the process we started. */
const cpuSec = async (pid: number) => (await readProcessTree(pid)).reduce((sum, p) => sum + p.cpuSec, 0);

/** 200 viewers on `route`, 10 s of changes: the server's CPU seconds and the bytes the viewers got. */
async function fanOut(
  server: ApiServer,
  cookies: string[],
  route: (jobId: string) => string,
  jobId: string,
  quick: boolean,
): Promise<{ cpuSec: number; bytes: number; changes: number }> {
  const abort = new AbortController();
  let bytes = 0;
  let counting = false;
  const viewers = Array.from({ length: VIEWERS }, async (_, i) => {
    const res = await fetch(`${server.url}${route(jobId)}`, {
      headers: { cookie: cookies[Math.floor(i / STREAMS_PER_SESSION)] as string },
      signal: abort.signal,
    });
    if (res.status !== 200) throw new Error(`stream answered ${res.status}`);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (counting) bytes += chunk.byteLength;
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  });
  await sleep(1000);
  counting = true;
  const before = await cpuSec(server.pid);
  const drive = { ms: quick ? 3000 : 10_000, stepMs: 500, finishEvery: 4 };
  const { changes } = await call<{ changes: number }>(
    server.url,
    cookies[0] as string,
    `/bench/drive/${jobId}`,
    drive,
  );
  await sleep(200);
  const cpu = (await cpuSec(server.pid)) - before;
  counting = false;
  abort.abort();
  await Promise.allSettled(viewers);
  return { cpuSec: cpu, bytes, changes };
}

async function jobLatencies(server: ApiServer, cookie: string, uploads: string[]): Promise<number[]> {
  const samples: number[] = [];
  for (const upload of uploads) {
    const started = performance.now();
    await createJob(server.url, cookie, upload, 1);
    samples.push(performance.now() - started);
  }
  return samples;
}

export async function apiLoad(ctx: BenchContext): Promise<ScenarioOutcome> {
  const quick = ctx.workload.quick;
  const dataDir = path.join(ctx.runDir, 'api-load-data');
  await mkdir(dataDir, { recursive: true });
  const clipFile = path.join(ctx.runDir, 'api-load-clip.mp4');
  await runFfmpeg([
    ...[
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x568:rate=30:duration=1',
    ],
    ...[
      '-f',
      'lavfi',
      '-i',
      'sine=duration=1',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      clipFile,
    ],
  ]);
  const password = randomBytes(12).toString('base64url');
  const server = await startApiServer(dataDir, password);
  try {
    const cookies: string[] = [];
    for (let i = 0; i < VIEWERS / STREAMS_PER_SESSION; i++) cookies.push(await signIn(server.url, password));
    const cookie = cookies[0] as string;
    const first = await uploadClip(server.url, cookie, clipFile);
    const latencyRequests = quick ? 40 : 200;
    const { ids } = await call<{ ids: string[] }>(server.url, cookie, '/bench/copy-upload', {
      from: first,
      count: 1 + 2 * latencyRequests,
    });

    ctx.log('9: 200 viewers, the old event stream');
    const naiveJob = await createJob(server.url, cookie, first, 50);
    const naive = await fanOut(server, cookies, (id) => `/bench/naive-events/${id}`, naiveJob.id, quick);
    ctx.log('9: 200 viewers, job feeds');
    const feedJob = await createJob(server.url, cookie, ids[0] as string, 50);
    const feed = await fanOut(server, cookies, (id) => `/api/jobs/${id}/events`, feedJob.id, quick);

    ctx.log(`9: POST /api/jobs × ${latencyRequests}, empty data folder, then with 10,000 files`);
    const empty = await jobLatencies(server, cookie, ids.slice(1, 1 + latencyRequests));
    const { walkMs } = await call<{ walkMs: number }>(server.url, cookie, '/bench/fill', { files: 10_000 });
    const full = await jobLatencies(server, cookie, ids.slice(1 + latencyRequests));

    const figures: Figure[] = [
      {
        key: 'sse.old.cpuSec',
        label: 'event streams, 200 viewers: server CPU, old way',
        value: naive.cpuSec,
        unit: 's',
      },
      {
        key: 'sse.feed.cpuSec',
        label: 'event streams, 200 viewers: server CPU, job feeds',
        value: feed.cpuSec,
        unit: 's',
      },
      {
        key: 'sse.cpuRatio',
        label: 'event streams: CPU of the old way / job feeds',
        value: ratio(naive.cpuSec, feed.cpuSec),
        unit: 'ratio',
      },
      {
        key: 'sse.old.bytes',
        label: 'event streams, 200 viewers: bytes sent, old way',
        value: naive.bytes,
        unit: 'bytes',
      },
      {
        key: 'sse.feed.bytes',
        label: 'event streams, 200 viewers: bytes sent, job feeds',
        value: feed.bytes,
        unit: 'bytes',
      },
      {
        key: 'sse.bytesRatio',
        label: 'event streams: bytes of the old way / job feeds',
        value: ratio(naive.bytes, feed.bytes),
        unit: 'ratio',
      },
      {
        key: 'sse.cpuPerChangeRatio',
        label: 'event streams: CPU per change, old way / job feeds',
        value: ratio(naive.cpuSec / naive.changes, feed.cpuSec / feed.changes),
        unit: 'ratio',
      },
      {
        key: 'sse.bytesPerChangeRatio',
        label: 'event streams: bytes per change, old way / job feeds',
        value: ratio(naive.bytes / naive.changes, feed.bytes / feed.changes),
        unit: 'ratio',
      },
      {
        key: 'jobs.empty.p99Ms',
        label: 'POST /api/jobs p99, empty data folder',
        value: percentile(empty, 99),
        unit: 'ms',
      },
      {
        key: 'jobs.10k.p99Ms',
        label: 'POST /api/jobs p99, 10,000 files under DATA_DIR',
        value: percentile(full, 99),
        unit: 'ms',
      },
      {
        key: 'jobs.p99Ratio',
        label: 'POST /api/jobs p99: 10,000 files / empty',
        value: ratio(percentile(full, 99), percentile(empty, 99)),
        unit: 'ratio',
      },
      {
        key: 'jobs.walkMs',
        label: 'one walk of those 10,000 files (requests waited for it, synchronously, before)',
        value: walkMs,
        unit: 'ms',
      },
    ];
    return {
      figures,
      notes: [
        `${naive.changes} and ${feed.changes} changes of a 50-output job in the two stream runs (the old way slows the driver down); ${latencyRequests} requests per latency run`,
      ],
    };
  } finally {
    server.child.kill('SIGTERM');
  }
}
