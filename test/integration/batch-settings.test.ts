import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import { createJobFromFiles, tusUpload, waitForJob } from '../support/http-client.js';
import { signedInServerForFile, startTestServer } from '../support/server.js';

/**
 * Batch settings over HTTP: a name (searchable, the ZIP's name, in the manifest), effects left out
 * and Protect text and logos, in JSON and multipart alike; bad values refused with a 400 that says
 * what is allowed, and nothing left behind.
 */
const server = await signedInServerForFile({ work: false });
const video = clip({ duration: 1, width: 160, height: 284 });

async function upload(name = 'launch.mp4'): Promise<string> {
  const { patch, create } = await tusUpload(server, readFileSync(video), name);
  expect(patch?.status).toBe(204);
  return (create.headers.get('location') as string).split('/').pop() as string;
}

const postJson = (body: unknown) =>
  server.api('/api/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const effectIds = (job: JobView) => new Set(job.outputs.flatMap((o) => o.effects.map((e) => e.id)));

describe('batch settings in POST /api/jobs', () => {
  it('takes a name, exclusions and protection in JSON, shows them and plans by them', async () => {
    const res = await postJson({
      uploads: [await upload()],
      count: 30,
      intensity: 'strong',
      name: '  Spring launch  ',
      exclude: ['pitch', 'colour', 'zoom'],
    });
    expect(res.status).toBe(201);
    const job = (await res.json()) as JobView;
    expect(job).toMatchObject({
      name: 'Spring launch',
      exclude: ['zoom', 'colour', 'pitch'],
      protectText: true,
    });
    const used = effectIds(job);
    for (const id of ['mirror', 'pitch', 'zoom', 'hue', 'temperature', 'brightness'])
      expect(used.has(id), id).toBe(false);
  });

  it('names a batch after its first file and the day when no name is given; protection off can mirror', async () => {
    const res = await postJson({
      uploads: [await upload('ux-long.mp4')],
      count: 40,
      intensity: 'strong',
      protectText: false,
    });
    const job = (await res.json()) as JobView;
    expect(job.name).toBe(`ux-long ${job.createdAt.slice(0, 10)}`);
    expect(job.protectText).toBe(false);
    expect(effectIds(job).has('mirror')).toBe(true);
  });

  it('takes the same settings as multipart fields', async () => {
    const res = await createJobFromFiles(server, [{ path: video, name: 'form.mp4' }], {
      count: '2',
      intensity: 'medium',
      name: 'Form batch',
      exclude: 'audio, mirror',
      protectText: 'false',
    });
    expect(res.status).toBe(201);
    const job = (await res.json()) as JobView;
    expect(job).toMatchObject({ name: 'Form batch', exclude: ['mirror', 'audio'], protectText: false });
    expect(
      [...effectIds(job)].filter((id) => ['volume', 'pitch', 'eq', 'noise-bed', 'mirror'].includes(id)),
    ).toEqual([]);
  });

  it('reproduces the plans from the seed and the same exclusions', async () => {
    const settings = { count: 5, intensity: 'medium', seed: 'repeat-me', exclude: ['texture'] };
    const a = (await (await postJson({ uploads: [await upload()], ...settings })).json()) as JobView;
    const b = (await (await postJson({ uploads: [await upload()], ...settings })).json()) as JobView;
    expect(b.outputs.map((o) => o.effects)).toEqual(a.outputs.map((o) => o.effects));
  });

  it.each([
    [{ exclude: ['mirror', 'flip'] }, /exclude: unknown effect or family "flip".*choose from framing, zoom/],
    [{ exclude: ['framing', 'colour', 'texture'] }, /keep at least one framing, colour or texture effect/],
    [{ name: 'x'.repeat(81) }, /name: must be at most 80 characters/],
    [{ name: 'bad\u0007name' }, /name: must not contain control characters/],
    [{ name: 'two\nlines' }, /name: must not contain control characters or line breaks/],
    [{ name: '   ' }, /name: must not be empty/],
    [{ protectText: 'yes' }, /protectText/],
  ])('refuses %j with a 400 that says why, and keeps the upload for another try', async (extra, message) => {
    const id = await upload();
    const res = await postJson({ uploads: [id], count: 1, intensity: 'subtle', ...extra });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
    expect((await server.api(`/api/uploads/${id}/info`)).status).toBe(200);
  });

  it('refuses an unknown multipart exclusion with a 400 and leaves no file', async () => {
    const before = server.dataFiles().filter((f) => f.startsWith('uploads')).length;
    const res = await createJobFromFiles(server, [{ path: video, name: 'x.mp4' }], {
      count: '1',
      intensity: 'subtle',
      exclude: 'mirror,sparkles',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/"sparkles".*choose from/);
    expect(server.dataFiles().filter((f) => f.startsWith('uploads')).length).toBe(before);
  });
});

describe('named batches in the list and the ZIP', () => {
  it('finds batches by name or file name with ?q=, in any case', async () => {
    await postJson({
      uploads: [await upload('autumn-teaser.mp4')],
      count: 1,
      intensity: 'subtle',
      name: 'Autumn 50% off',
    });
    const names = async (q: string) =>
      (
        (await (await server.api(`/api/jobs?q=${encodeURIComponent(q)}`)).json()) as { jobs: JobView[] }
      ).jobs.map((j) => j.name);
    expect(await names('AUTUMN 50%')).toEqual(['Autumn 50% off']);
    expect(await names('teaser')).toEqual(['Autumn 50% off']);
    expect(await names('50_')).toEqual([]);
    expect(await names('spring')).toEqual(['Spring launch']);
    expect((await server.api(`/api/jobs?q=${'x'.repeat(200)}`)).status).toBe(400);
  });

  it('calls the ZIP after the name and the day, and records name and choices in its manifest', async () => {
    // This server renders: a ZIP needs a finished variation.
    const rendering = await startTestServer();
    onTestFinished(() => rendering.close());
    await rendering.login();
    const { patch, create } = await tusUpload(rendering, readFileSync(video), 'zip.mp4');
    expect(patch?.status).toBe(204);
    const res = await rendering.api('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        uploads: [(create.headers.get('location') as string).split('/').pop()],
        count: 1,
        intensity: 'subtle',
        name: 'Été / Spring: launch!',
        exclude: ['pitch'],
      }),
    });
    const job = await waitForJob(rendering, ((await res.json()) as JobView).id);
    expect(job.status).toBe('done');
    const zip = await rendering.api(`/api/jobs/${job.id}/download`);
    expect(zip.status).toBe(200);
    const day = job.createdAt.slice(0, 10);
    expect(zip.headers.get('content-disposition')).toContain(`filename="ete-spring-launch-${day}.zip"`);
    const file = path.join(rendering.scratch, 'named.zip');
    writeFileSync(file, Buffer.from(await zip.arrayBuffer()));
    const manifest = JSON.parse(execFileSync('unzip', ['-p', file, 'manifest.json'], { encoding: 'utf8' }));
    expect(manifest).toMatchObject({ name: 'Été / Spring: launch!', exclude: ['pitch'], protectText: true });
  });
});

describe('uploads offered again on New batch', () => {
  it('lists the admitted uploads no batch used, and drops one once a batch uses it', async () => {
    const fresh = await startTestServer({ work: false });
    onTestFinished(() => fresh.close());
    await fresh.login();
    const ids: string[] = [];
    for (const name of ['first.mp4', 'second.mp4']) {
      const { create } = await tusUpload(fresh, readFileSync(video), name);
      ids.push((create.headers.get('location') as string).split('/').pop() as string);
    }
    const listed = async () =>
      ((await (await fresh.api('/api/uploads')).json()) as { uploads: Array<{ id: string; name: string }> })
        .uploads;
    expect((await listed()).map((u) => u.name)).toEqual(['first.mp4', 'second.mp4']);
    const res = await fresh.api('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uploads: [ids[0]], count: 1, intensity: 'subtle' }),
    });
    expect(res.status).toBe(201);
    expect((await listed()).map((u) => u.id)).toEqual([ids[1]]);
  });
});
