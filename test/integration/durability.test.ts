import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import { type DatabaseRows, filesUnder, newDataDir, readDatabase } from '../support/data-dir.js';
import { createJobFromUploads, probeVideo, waitForJob } from '../support/http-client.js';
import { type LogLine, startVidvar, type VidvarProcess } from '../support/server-process.js';

/**
 * The real server process, signalled and killed mid-encode, then started again on the same DATA_DIR:
 * what a deploy, a crash and a full volume look like to the people using it.
 */
const quickClip = () => clip({ width: 320, height: 568, duration: 1 });
/** Long enough that its encode is still running when a 1 s shutdown grace ends, on a fast machine too. */
const slowClip = () => clip({ width: 640, height: 1136, duration: 12 });
const pairClip = () => clip({ width: 640, height: 1136, duration: 2 });

const started: VidvarProcess[] = [];
const dataDirs: string[] = [];

afterEach(async () => {
  for (const proc of started.splice(0)) await proc.kill();
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshDataDir(): string {
  const dir = newDataDir();
  dataDirs.push(dir);
  return dir;
}

async function start(dataDir: string, env: Record<string, string> = {}): Promise<VidvarProcess> {
  const proc = await startVidvar(dataDir, {
    env: { X264_PRESET: 'ultrafast', ...env },
    ownProcessGroup: true,
  });
  started.push(proc);
  return proc;
}

async function createJob(proc: VidvarProcess, files: string[], count: number): Promise<JobView> {
  const res = await proc.postJob(files, { count: String(count), intensity: 'medium', seed: 'durable' });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as JobView;
}

/** First source's variation finished, second source's encode under way. */
const firstDoneSecondRunning = (job: JobView) =>
  job.outputs[0]?.status === 'done' && job.outputs[1]?.status === 'running';

/** Statuses the job's event stream delivers until the server ends the connection. */
async function watchStatuses(proc: VidvarProcess, jobId: string): Promise<() => Promise<string[]>> {
  const res = await proc.api(`/api/jobs/${jobId}/events`);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const statuses: string[] = [];
  const ended = (async () => {
    let text = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // The server closed the connection as it exited.
    }
    for (const line of text.split('\n')) {
      if (line.startsWith('data: ')) statuses.push((JSON.parse(line.slice(6)) as JobView).status);
    }
    return statuses;
  })();
  return () => ended;
}

function shutdownSteps(proc: VidvarProcess): string[] {
  return proc
    .logs()
    .filter((line) => line.msg?.startsWith('shutdown:') || line.event === 'job_interrupted')
    .map((line) => line.msg ?? '');
}

const logged = (proc: VidvarProcess, match: (line: LogLine) => boolean) => proc.logs().find(match);

/**
 * The folders and the rows agree: every finished variation is a valid video with its thumbnail, no
 * file in outputs/ or uploads/ is unknown to the database, and nothing is left in work/.
 */
function expectConsistent(dataDir: string): DatabaseRows {
  const rows = readDatabase(dataDir);
  const done = rows.outputs.filter((o) => o.status === 'done');
  const expectedOutputs = done.flatMap((o) => [`${o.jobId}/${o.id}.mp4`, `${o.jobId}/${o.id}.jpg`]);
  // Besides them, at most one still of each source of the job (the job screen's "Original").
  const stills = new Set(rows.sources.map((s) => `${s.jobId}/${s.id}.source.jpg`));
  const files = filesUnder(path.join(dataDir, 'outputs'));
  expect(files.filter((f) => !stills.has(f)).sort()).toEqual(expectedOutputs.sort());
  for (const output of done) {
    const video = probeVideo(path.join(dataDir, 'outputs', output.jobId, `${output.id}.mp4`));
    expect(video.codec).toBe('h264');
    expect(video.duration).toBeGreaterThan(0.5);
  }
  const liveSources = [...rows.sources.filter((s) => !s.deleted), ...rows.uploads].map((s) => `${s.id}.src`);
  expect(filesUnder(path.join(dataDir, 'uploads')).sort()).toEqual(liveSources.sort());
  expect(filesUnder(path.join(dataDir, 'work'))).toEqual([]);
  return rows;
}

function expectWalCheckpointed(dataDir: string): void {
  const wal = path.join(dataDir, 'vidvar.db-wal');
  expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
}

describe('SIGTERM (deploy)', () => {
  it('past a short grace aborts the encode, marks the job interrupted and exits 0; the next start finishes it rendering only the cut-short variation again', async () => {
    const dataDir = freshDataDir();
    const first = await start(dataDir, { SHUTDOWN_GRACE_SECONDS: '1' });
    await first.signIn();
    const job = await createJob(first, [quickClip(), slowClip()], 1);
    await waitForJob(first, job.id, firstDoneSecondRunning);
    const streamed = await watchStatuses(first, job.id);

    const signalledAt = Date.now();
    expect(await first.terminate()).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(1000 + 15_000);
    expect(await first.leftBehind(), 'an FFmpeg process outlived the server').toBe(false);
    // A browser watching the job hears that it was interrupted before the connection drops.
    expect((await streamed()).at(-1)).toBe('interrupted');
    expect(shutdownSteps(first)).toEqual([
      'shutdown: draining, intake closed',
      'job interrupted by shutdown',
      'shutdown: worker stopped',
      'shutdown: records closed (SQLite checkpointed), exiting',
    ]);
    expect(logged(first, (l) => l.msg === 'shutdown: worker stopped')?.outcome).toBe('aborted');
    expectWalCheckpointed(dataDir);
    const stopped = readDatabase(dataDir);
    expect(stopped.jobs).toEqual([{ id: job.id, status: 'interrupted' }]);
    expect(stopped.outputs.map((o) => o.status)).toEqual(['done', 'queued']);

    const second = await start(dataDir);
    expect(logged(second, (l) => l.event === 'job_requeued')?.jobId).toBe(job.id);
    await second.signIn();
    const finished = await waitForJob(second, job.id);
    expect(finished.status).toBe('done');
    expect(finished.outputs.map((o) => o.status)).toEqual(['done', 'done']);
    expect(await second.terminate()).toEqual({ code: 0, signal: null });

    const rows = expectConsistent(dataDir);
    expect(rows.outputs.map((o) => o.attempts)).toEqual([1, 2]);
  });

  it('within a long grace answers "draining" and 503 to new work while the running encode finishes, then exits 0 with the job done', async () => {
    const dataDir = freshDataDir();
    const proc = await start(dataDir, { SHUTDOWN_GRACE_SECONDS: '60' });
    await proc.signIn();
    const job = await createJob(proc, [pairClip()], 2);
    await waitForJob(proc, job.id, (j) => j.outputs.some((o) => o.status === 'running'));

    const signalledAt = Date.now();
    const exited = proc.terminate();
    await proc.waitForLog((l) => l.msg === 'shutdown: draining, intake closed');
    const health = await fetch(`${proc.url}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'draining', activeJobs: 1 });
    const refused = await createJobFromUploads(proc, ['A'.repeat(24)]);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ code: 'draining' });
    const upload = await proc.api('/api/uploads', {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': '1000' },
    });
    expect(upload.status).toBe(503);
    expect(upload.headers.get('retry-after')).toMatch(/^\d+$/);

    expect(await exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(60_000 + 15_000);
    expect(shutdownSteps(proc)).toEqual([
      'shutdown: draining, intake closed',
      'shutdown: worker stopped',
      'shutdown: records closed (SQLite checkpointed), exiting',
    ]);
    expect(logged(proc, (l) => l.msg === 'shutdown: worker stopped')?.outcome).toBe('finished');
    expectWalCheckpointed(dataDir);
    const rows = expectConsistent(dataDir);
    expect(rows.jobs).toEqual([{ id: job.id, status: 'done' }]);
    expect(rows.outputs.map((o) => [o.status, o.attempts])).toEqual([
      ['done', 1],
      ['done', 1],
    ]);
  });
});

describe('SIGKILL (crash)', () => {
  it('mid-encode loses no finished variation; the next start deletes the partial files and completes the job', async () => {
    const dataDir = freshDataDir();
    const first = await start(dataDir);
    await first.signIn();
    const job = await createJob(first, [quickClip(), slowClip()], 1);
    const killedDuring = await waitForJob(first, job.id, firstDoneSecondRunning);
    expect((await first.kill()).signal).toBe('SIGKILL');

    const partial = filesUnder(path.join(dataDir, 'work'));
    const cutShort = killedDuring.outputs[1]?.id as string;
    expect(partial).toContain(`${cutShort}.mp4`);

    const second = await start(dataDir);
    const logs = second.logs();
    const beforeListening = logs.slice(
      0,
      logs.findIndex((l) => l.msg === 'vidvar listening'),
    );
    const recovered = beforeListening.filter((l) => l.event === 'file_deleted').map((l) => l.path);
    expect(recovered).toEqual(expect.arrayContaining(partial.map((file) => `work/${file}`)));

    // The session stored before the crash still signs the user in.
    second.cookie = first.cookie;
    const finished = await waitForJob(second, job.id);
    expect(finished.status).toBe('done');
    expect(await second.terminate()).toEqual({ code: 0, signal: null });

    const rows = expectConsistent(dataDir);
    expect(rows.outputs.map((o) => [o.status, o.attempts])).toEqual([
      ['done', 1],
      ['done', 2],
    ]);
  });
});

describe('full disk', () => {
  it('answers 507 when a batch or an upload cannot fit, leaves nothing half-written, and accepts a batch that fits', async () => {
    const dataDir = freshDataDir();
    const small = quickClip();
    const budget = statSync(small).size + 1024 * 1024;
    const proc = await start(dataDir, { STORAGE_BUDGET_BYTES: String(budget) });
    await proc.signIn();
    const full = {
      code: 'storage_full',
      message: expect.stringMatching(
        /^The server is full right now: .* GB of its .* GB are in use or promised/,
      ),
    };

    // The file fits, fifty variations of it do not: refused after receiving it, and the file is gone.
    const tooMany = await proc.postJob([small], { count: '50', intensity: 'medium' });
    expect(tooMany.status).toBe(507);
    expect(await tooMany.json()).toEqual(full);

    const resumable = await proc.api('/api/uploads', {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(budget) },
    });
    expect(resumable.status).toBe(507);
    expect(await resumable.json()).toEqual(full);

    // A batch bigger than the budget is refused before a byte is stored, and the client still reads why.
    const big = path.join(os.tmpdir(), `vidvar-big-${process.pid}.mp4`);
    writeFileSync(big, Buffer.alloc(budget + 2 * 1024 * 1024, 7));
    try {
      const tooBig = await proc.postJob([big], { count: '1', intensity: 'medium' });
      expect(tooBig.status).toBe(507);
      expect(await tooBig.json()).toEqual(full);
    } finally {
      rmSync(big, { force: true });
    }

    // The refused batch's video was stored and admitted before the estimate said no; then deleted.
    const admitted = proc.logs().filter((l) => l.event === 'file_created' && String(l.path).endsWith('.src'));
    const deleted = proc.logs().filter((l) => l.event === 'file_deleted');
    expect(admitted).toHaveLength(1);
    expect(deleted.map((l) => l.path)).toEqual(admitted.map((l) => l.path));
    for (const folder of ['uploads', 'work', 'outputs']) {
      expect(filesUnder(path.join(dataDir, folder)), folder).toEqual([]);
    }
    expect(await (await proc.api('/api/jobs')).json()).toEqual({ jobs: [] });

    const fits = await createJob(proc, [small], 1);
    expect((await waitForJob(proc, fits.id)).status).toBe('done');
  });
});

describe('resumable upload across a crash', () => {
  it('resumes from the offset the server stored before it was killed, and the file feeds a batch', async () => {
    const dataDir = freshDataDir();
    const file = clip({ width: 320, height: 568, duration: 2 });
    const bytes = readFileSync(file);
    const chunkSize = Math.ceil(bytes.length / 6);
    const first = await start(dataDir);
    const cookie = await first.signIn();
    const options = {
      chunkSize,
      retryDelays: null,
      storeFingerprintForResuming: false,
      metadata: { filename: 'Spring Promo.mp4' },
      headers: { cookie },
    };

    // Killed after three chunks landed, while the client is still sending.
    let uploadUrl = '';
    let chunks = 0;
    const interrupted = await new Promise<Error>((resolve, reject) => {
      const upload = new tus.Upload(bytes, {
        ...options,
        endpoint: `${first.url}/api/uploads`,
        onChunkComplete: () => {
          chunks++;
          uploadUrl = upload.url ?? '';
          if (chunks === 3) void first.kill();
        },
        onSuccess: () => reject(new Error('the upload finished before the server was killed')),
        onError: resolve,
      });
      upload.start();
    });
    expect(interrupted).toBeInstanceOf(Error);
    await first.exited;

    const second = await start(dataDir);
    const location = new URL(uploadUrl).pathname;
    const head = await second.api(location, {
      method: 'HEAD',
      headers: { 'tus-resumable': '1.0.0', cookie },
    });
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThanOrEqual(3 * chunkSize);
    expect(offset).toBeLessThan(bytes.length);

    let resent = 0;
    await new Promise<void>((resolve, reject) => {
      const upload = new tus.Upload(bytes, {
        ...options,
        endpoint: `${second.url}/api/uploads`,
        uploadUrl: `${second.url}${location}`,
        onChunkComplete: (size) => {
          resent += size;
        },
        onSuccess: () => resolve(),
        onError: reject,
      });
      upload.start();
    });
    expect(resent).toBe(bytes.length - offset);

    const uploadId = location.split('/').pop() as string;
    second.cookie = cookie;
    const info = await (await second.api(`/api/uploads/${uploadId}/info`)).json();
    expect(info).toMatchObject({
      name: 'Spring Promo.mp4',
      sizeBytes: bytes.length,
      width: 320,
      height: 568,
    });
    const stored = readFileSync(path.join(dataDir, 'uploads', `${uploadId}.src`));
    const digest = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    expect(digest(stored)).toBe(digest(bytes));

    const res = await createJobFromUploads(second, [uploadId]);
    expect(res.status).toBe(201);
    const job = (await res.json()) as JobView;
    expect((await waitForJob(second, job.id)).status).toBe('done');
  });
});
