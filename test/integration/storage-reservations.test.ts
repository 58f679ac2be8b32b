import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { createStorageBudget } from '../../src/storage/disk-space.js';
import { estimateJobBytes } from '../../src/storage/storage-estimate.js';
import { holdUnfinishedUploads } from '../../src/storage/upload-holds.js';
import { clip } from '../support/clips.js';
import { tusUpload } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The storage budget counts what was promised, not only what is on disk: queued batches hold their
 * estimate and unfinished uploads their declared length, so a burst of requests cannot overbook the
 * volume before the first byte lands. The worker is off: everything stays queued, as in a burst.
 */
const MB = 1024 * 1024;
let server: TestServer | null = null;
let now = Date.now();

afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(env: Record<string, string>): Promise<TestServer> {
  now = Date.now();
  server = await startTestServer({ work: false, env, clock: () => now });
  await server.login();
  return server;
}

/** One admitted upload of a tiny clip: its id. */
async function admittedUpload(target: TestServer, i: number): Promise<string> {
  const { create, patch } = await tusUpload(
    target,
    readFileSync(clip({ width: 160, height: 284, duration: 1 })),
    `ad-${i}.mp4`,
  );
  expect(create.status).toBe(201);
  expect(patch?.status).toBe(204);
  return (create.headers.get('location') as string).split('/').pop() as string;
}

function createJob(target: TestServer, upload: string, count: number): Promise<Response> {
  return target.api('/api/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ uploads: [upload], count, intensity: 'medium' }),
  });
}

const createUpload = (target: TestServer, length: number) =>
  target.api('/api/uploads', {
    method: 'POST',
    headers: { 'tus-resumable': '1.0.0', 'upload-length': String(length) },
  });

describe('queued batches', () => {
  it('hold their estimate: a burst of batches stops at the budget, not after it', async () => {
    const budgetBytes = 100 * MB;
    const target = await start({ STORAGE_BUDGET_BYTES: String(budgetBytes) });
    const uploads: string[] = [];
    for (let i = 0; i < 12; i++) uploads.push(await admittedUpload(target, i));

    const accepted: JobView[] = [];
    const refused: Response[] = [];
    for (const upload of uploads) {
      const res = await createJob(target, upload, 50);
      if (res.status === 201) accepted.push((await res.json()) as JobView);
      else refused.push(res);
    }
    let promised = 0;
    for (const view of accepted) {
      const job = await target.store.getJob(view.id);
      promised += estimateJobBytes(job?.sources.map((s) => s.media) ?? [], 50, 640);
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(promised).toBeLessThanOrEqual(budgetBytes);
    for (const res of refused) {
      expect(res.status).toBe(507);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await res.json()).toMatchObject({
        code: 'storage_full',
        message: expect.stringMatching(/promised/),
      });
    }
    // Nothing was rendered: what refused them was the promise, not the disk.
    expect(target.budget.usedBytes()).toBeLessThan(5 * MB);

    // A canceled batch gives its promise back.
    expect((await target.api(`/api/jobs/${accepted[0]?.id}`, { method: 'DELETE' })).status).toBe(204);
    const leftover = (await target.store.listUploads())[0]?.id as string;
    expect((await createJob(target, leftover, 50)).status).toBe(201);
  });

  it('are capped by MAX_QUEUED_OUTPUTS with a 429 that says how much is waiting', async () => {
    const target = await start({ MAX_QUEUED_OUTPUTS: '120' });
    const uploads = [
      await admittedUpload(target, 1),
      await admittedUpload(target, 2),
      await admittedUpload(target, 3),
    ];
    expect((await createJob(target, uploads[0] as string, 50)).status).toBe(201);
    expect((await createJob(target, uploads[1] as string, 50)).status).toBe(201);
    const full = await createJob(target, uploads[2] as string, 50);
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await full.json()).toEqual({
      code: 'queue_full',
      message: expect.stringMatching(
        /^100 variations are already waiting to render and this server queues at most 120\./,
      ),
    });
    // What still fits under the cap is accepted.
    expect((await createJob(target, uploads[2] as string, 20)).status).toBe(201);
  });
});

describe('unfinished uploads', () => {
  it('hold their declared length: 8 of 12 declared 45 MB uploads fit a budget for 8', async () => {
    const target = await start({ STORAGE_BUDGET_BYTES: String(8 * 47 * MB) });
    const answers: number[] = [];
    for (let i = 0; i < 12; i++) answers.push((await createUpload(target, 45 * MB)).status);
    expect(answers).toEqual([...Array(8).fill(201), ...Array(4).fill(507)]);

    // The promises survive a restart: start-up reads them back from the tus folder.
    const restarted = await createStorageBudget({ layout: target.layout, budgetBytes: 8 * 47 * MB });
    expect(holdUnfinishedUploads(restarted, target.layout.tus)).toBe(8);
    expect(restarted.reservedBytes()).toBeGreaterThanOrEqual(8 * 45 * MB);
  });

  it('give their promise back when deleted, and expire after an hour without bytes', async () => {
    const target = await start({ STORAGE_BUDGET_BYTES: String(2 * 47 * MB) });
    const first = await createUpload(target, 45 * MB);
    const second = await createUpload(target, 45 * MB);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect((await createUpload(target, 45 * MB)).status).toBe(507);

    const deleted = await target.api(first.headers.get('location') as string, {
      method: 'DELETE',
      headers: { 'tus-resumable': '1.0.0' },
    });
    expect(deleted.status).toBe(204);
    expect((await createUpload(target, 45 * MB)).status).toBe(201);
    expect((await createUpload(target, 45 * MB)).status).toBe(507);

    // 59 minutes idle: still waiting for its bytes. 61 minutes: abandoned, and its promise with it.
    now += 59 * 60_000;
    await target.janitor.runOnce();
    expect((await createUpload(target, 45 * MB)).status).toBe(507);
    now += 2 * 60_000;
    const report = await target.janitor.runOnce();
    expect(report.orphans.filter((f) => f.startsWith('uploads/tus/'))).toHaveLength(4);
    expect((await createUpload(target, 45 * MB)).status).toBe(201);
  });

  it('count as idle from their last bytes, not from when they started', async () => {
    const target = await start({ STORAGE_BUDGET_BYTES: String(2 * 47 * MB) });
    const before = target.budget.reservedBytes();
    const create = await createUpload(target, 45 * MB);
    const location = create.headers.get('location') as string;
    const id = location.split('/').pop() as string;
    const tus = { 'tus-resumable': '1.0.0' };
    const patch = await target.api(location, {
      method: 'PATCH',
      headers: { ...tus, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      body: new Uint8Array(1000),
    });
    expect(patch.status).toBe(204);

    // Started 61 minutes ago (tus writes its record once), bytes arrived just now: still live.
    const started = (now - 61 * 60_000) / 1000;
    utimesSync(path.join(target.layout.tus, `${id}.json`), started, started);
    const report = await target.janitor.runOnce();
    expect(report.orphans.filter((f) => f.startsWith('uploads/tus/'))).toEqual([]);
    const head = await target.api(location, { method: 'HEAD', headers: tus });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('1000');
    expect(target.budget.reservedBytes()).toBeGreaterThanOrEqual(before + 45 * MB);

    // Nothing more for over an hour: the record and the bytes go together, and the promise with them.
    now += 62 * 60_000;
    const idle = await target.janitor.runOnce();
    expect(idle.orphans.filter((f) => f.startsWith('uploads/tus/')).sort()).toEqual([
      `uploads/tus/${id}`,
      `uploads/tus/${id}.json`,
    ]);
    expect(readdirSync(target.layout.tus).filter((name) => name.startsWith(id))).toEqual([]);
    expect(existsSync(path.join(target.layout.tus, id))).toBe(false);
    expect(target.budget.reservedBytes()).toBe(before);
    expect((await target.api(location, { method: 'HEAD', headers: tus })).status).toBe(404);
  });
});
