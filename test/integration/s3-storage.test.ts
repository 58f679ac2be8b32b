import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import type { FileStore } from '../../src/storage/file-store.js';
import { clip } from '../support/clips.js';
import {
  createJobFromFiles,
  probeVideo,
  tusFilenameMetadata,
  tusUpload,
  waitForJob,
} from '../support/http-client.js';
import { startS3Server } from '../support/s3-server.js';
import { signedInServerForFile, startTestServer } from '../support/server.js';

/**
 * The server with S3_BUCKET set, against a real s3rver (with the multipart listing the test server
 * adds): tus uploads and admitted sources rest in the bucket, and downloads, stills and the ZIP come
 * from it.
 */
const s3 = await startS3Server();
afterAll(() => s3.stop());
const server = await signedInServerForFile({ env: s3.env, work: false });

async function keys(files: FileStore, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const file of files.list(prefix)) found.push(file.key);
  return found.sort();
}

describe('uploads with S3 storage', () => {
  it('keeps an admitted tus upload in the bucket, not in the data folder', async () => {
    const { create, patch } = await tusUpload(server, readFileSync(clip({ duration: 2 })), 'Launch.mp4');
    expect(create.status).toBe(201);
    expect(patch?.status).toBe(204);
    const id = path.basename(create.headers.get('location') ?? '');
    expect(await server.files.stat(`uploads/${id}.src`)).toMatchObject({ size: expect.any(Number) });
    expect(server.dataFiles().filter((f) => f.startsWith('uploads'))).toEqual([]);
    const info = await server.api(`/api/uploads/${id}/info`);
    expect(info.status).toBe(200);
  });

  it('refuses a file that is no video and leaves nothing in the bucket or on disk', async () => {
    const before = await keys(server.files, 'uploads/');
    const { create, patch } = await tusUpload(
      server,
      Buffer.from('plain text, no video\n'.repeat(100)),
      'notes.mp4',
    );
    const answer = patch ?? create;
    expect(answer.status).toBe(422);
    expect(((await answer.json()) as { message: string }).message).toContain('notes.mp4');
    expect(await keys(server.files, 'uploads/')).toEqual(before);
    expect(server.dataFiles().filter((f) => f.startsWith('uploads'))).toEqual([]);
  });
});

describe('comparing uploads with S3 storage', () => {
  it('fetches both from the bucket for the comparison, and keeps no copy of them', async () => {
    const bytes = readFileSync(clip({ duration: 2 }));
    const ids = [];
    for (const name of ['a.mp4', 'b.mp4']) {
      const { create } = await tusUpload(server, bytes, name);
      ids.push(path.basename(create.headers.get('location') ?? ''));
    }
    const res = await server.api('/api/compare', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: ids[0], b: ids[1] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ match: true, comparedMatchedPercent: 100 });
    expect(server.dataFiles().filter((f) => /^(uploads|work)\//.test(f))).toEqual([]);
    for (const id of ids) expect(await server.files.stat(`uploads/${id}.src`)).not.toBeNull();

    // Gone from the bucket while its record stays: the upload is said to be gone, nothing is left.
    await server.files.remove(`uploads/${ids[1]}.src`);
    const missing = await server.api('/api/compare', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: ids[0], b: ids[1] }),
    });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('upload_not_found');
    expect(server.dataFiles().filter((f) => /^(uploads|work)\//.test(f))).toEqual([]);
  }, 60_000);
});

describe('a tus upload resumed on another API process', () => {
  it('takes the first half through one process and the rest through another with its own data folder', async () => {
    const other = await startTestServer({ env: s3.env, work: false });
    try {
      await other.login();
      const bytes = readFileSync(clip({ duration: 2 }));
      const half = Math.floor(bytes.length / 2);
      const tus = { 'tus-resumable': '1.0.0' };
      const create = await server.api('/api/uploads', {
        method: 'POST',
        headers: {
          ...tus,
          'upload-length': String(bytes.length),
          'upload-metadata': tusFilenameMetadata('Two.mp4'),
        },
      });
      expect(create.status).toBe(201);
      const location = create.headers.get('location') as string;
      const patch = (api: typeof server, offset: number, body: Buffer) =>
        api.api(location, {
          method: 'PATCH',
          headers: {
            ...tus,
            'upload-offset': String(offset),
            'content-type': 'application/offset+octet-stream',
          },
          body: new Uint8Array(body),
        });
      expect((await patch(server, 0, bytes.subarray(0, half))).status).toBe(204);
      // Nothing of it rests on the first process's disk: the other can only know it from the bucket.
      expect(server.dataFiles().filter((f) => f.startsWith('uploads'))).toEqual([]);

      const head = await other.api(location, { method: 'HEAD', headers: tus });
      expect(head.status).toBe(200);
      expect(head.headers.get('upload-offset')).toBe(String(half));
      expect((await patch(other, half, bytes.subarray(half))).status).toBe(204);

      const id = path.basename(location);
      expect(await other.files.stat(`uploads/${id}.src`)).toEqual(
        expect.objectContaining({ size: bytes.length }),
      );
      expect((await other.api(`/api/uploads/${id}/info`)).status).toBe(200);
      // tus's own objects went once the upload was admitted; only the source rests.
      expect((await keys(other.files, '')).filter((k) => k.includes(id))).toEqual([`uploads/${id}.src`]);
    } finally {
      await other.close();
    }
  }, 60_000);
});

describe('an S3 server that does not answer', () => {
  it('refuses the upload with 503 after retrying, and keeps nothing', async () => {
    const down = await startS3Server('down');
    const lonely = await startTestServer({ env: down.env, work: false });
    try {
      await lonely.login();
      await down.stop();
      // With tus on the bucket, the creation already needs it.
      const { create, patch } = await tusUpload(lonely, readFileSync(clip({ duration: 2 })), 'Launch.mp4');
      const answer = patch ?? create;
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({
        code: 'storage_unavailable',
        message: 'The file store is not answering; please try again shortly.',
      });
      expect(lonely.dataFiles().filter((f) => f.startsWith('uploads'))).toEqual([]);

      const batch = await createJobFromFiles(lonely, [{ path: clip({ duration: 2 }), name: 'Launch.mp4' }], {
        count: '1',
        intensity: 'subtle',
      });
      expect(batch.status).toBe(503);
      expect(batch.headers.get('retry-after')).toBe('30');
      expect(((await batch.json()) as { code: string }).code).toBe('storage_unavailable');
      expect(lonely.dataFiles().filter((f) => f.startsWith('uploads'))).toEqual([]);
    } finally {
      await lonely.close();
    }
  });
});

describe('a worker whose bucket stops answering before its outputs are stored', () => {
  it('fails each output with the reason and leaves none of its files behind', async () => {
    const failing = await startS3Server('failing');
    const lonely = await startTestServer({ env: { ...failing.env }, work: false });
    try {
      await lonely.login();
      const res = await createJobFromFiles(lonely, [{ path: clip({ duration: 2 }), name: 'Sale.mp4' }], {
        count: '2',
        intensity: 'subtle',
      });
      expect(res.status).toBe(201);
      const created = (await res.json()) as JobView;
      // The source in the worker's cache already, as if fetched just before the bucket went away.
      const sourceKey = `uploads/${created.sources[0]?.id}.src`;
      expect(await lonely.files.ensureLocal(sourceKey)).not.toBeNull();
      await failing.stop();
      lonely.worker.start();
      const job = await waitForJob(lonely, created.id);
      expect(job.status).toBe('failed');
      for (const output of job.outputs) {
        expect(output.status).toBe('failed');
        expect(output.error).toMatch(
          new RegExp(
            `^The finished video could not be stored: storing outputs/${job.id}/${output.id}\\.mp4 in the bucket failed after 5 attempts: `,
          ),
        );
      }
      // Nothing half-stored waits in the data folder: no video, no thumbnail.
      expect(
        lonely.dataFiles().filter((f) => /^outputs\/.+\.(mp4|jpg)$/.test(f) && !f.includes('.source.')),
      ).toEqual([]);
    } finally {
      await lonely.close();
    }
  }, 120_000);
});

describe('downloads with S3 storage', () => {
  let job: JobView;

  beforeAll(async () => {
    const res = await createJobFromFiles(server, [{ path: clip({ duration: 2 }), name: 'Summer Sale.mp4' }], {
      count: '2',
      intensity: 'subtle',
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    expect(server.dataFiles().filter((f) => f.startsWith('uploads'))).toEqual([]);
    // The worker fetches the source from the bucket, renders, and publishes what it made.
    server.worker.start();
    job = await waitForJob(server, created.id);
    expect(job.status).toBe('done');
    // Outputs, thumbnails and the source's still rest in the bucket; the data folder keeps none of
    // them, and the source, all its outputs done, is gone from both.
    expect(server.dataFiles().filter((f) => /^(outputs|uploads)\/.+\.\w+$/.test(f))).toEqual([]);
    const source = job.sources[0]?.id;
    expect(await keys(server.files, `outputs/${job.id}/`)).toEqual(
      [
        ...job.outputs.flatMap((o) => [`outputs/${job.id}/${o.id}.jpg`, `outputs/${job.id}/${o.id}.mp4`]),
        `outputs/${job.id}/${source}.source.jpg`,
      ].sort(),
    );
    expect(await server.files.stat(`uploads/${source}.src`)).toBeNull();
  }, 120_000);

  it('sends a video as a redirect to a short-lived link that downloads it under its name', async () => {
    const output = job.outputs[0];
    const res = await server.api(`/api/jobs/${job.id}/outputs/${output?.id}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const link = new URL(res.headers.get('location') ?? '');
    expect(link.origin).toBe(s3.endpoint);
    expect(link.searchParams.get('X-Amz-Expires')).toBe('300');

    const video = await fetch(link);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-disposition')).toContain(`filename="${output?.file}"`);
    const file = path.join(server.scratch, 'one.mp4');
    writeFileSync(file, Buffer.from(await video.arrayBuffer()));
    expect(probeVideo(file).codec).toBe('h264');
  });

  it('streams stills from the bucket, with ranges', async () => {
    const output = job.outputs[0];
    const still = await server.api(`/api/jobs/${job.id}/outputs/${output?.id}/thumbnail`);
    expect(still.status).toBe(200);
    expect(still.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await still.arrayBuffer());
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    const part = await server.api(`/api/jobs/${job.id}/outputs/${output?.id}/thumbnail`, {
      headers: { range: 'bytes=0-1' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-1/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(0, 2));

    const past = await server.api(`/api/jobs/${job.id}/outputs/${output?.id}/thumbnail`, {
      headers: { range: `bytes=${bytes.length + 10}-` },
    });
    expect(past.status).toBe(416);

    const original = await server.api(`/api/jobs/${job.id}/sources/${job.sources[0]?.id}/thumbnail`);
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('streams the ZIP from the bucket with every video whole', async () => {
    const res = await server.api(`/api/jobs/${job.id}/download`);
    expect(res.status).toBe(200);
    const zipFile = path.join(server.scratch, 'batch.zip');
    writeFileSync(zipFile, Buffer.from(await res.arrayBuffer()));
    execFileSync('unzip', ['-tq', zipFile]);
    const entries = execFileSync('zipinfo', ['-1', zipFile], { encoding: 'utf8' }).trim().split('\n');
    expect(entries.filter((e) => e.endsWith('.mp4'))).toHaveLength(job.outputs.length);
    expect(entries).toContain('manifest.json');
  });

  it('answers 404 for a video that is no longer in the bucket, and leaves it out of the ZIP', async () => {
    const gone = job.outputs[1];
    await server.files.remove(`outputs/${job.id}/${gone?.id}.mp4`);
    const res = await server.api(`/api/jobs/${job.id}/outputs/${gone?.id}`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect((await res.json()).message).toBe('That video is no longer on the server.');

    const zip = await server.api(`/api/jobs/${job.id}/download`);
    const zipFile = path.join(server.scratch, 'partial.zip');
    writeFileSync(zipFile, Buffer.from(await zip.arrayBuffer()));
    const entries = execFileSync('zipinfo', ['-1', zipFile], { encoding: 'utf8' }).trim().split('\n');
    expect(entries.filter((e) => e.endsWith('.mp4'))).toHaveLength(job.outputs.length - 1);
  });

  it('takes a deleted batch out of the bucket: its outputs, and a source it had not used up', async () => {
    const res = await server.api(`/api/jobs/${job.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await keys(server.files, `outputs/${job.id}/`)).toEqual([]);

    // A batch deleted before it rendered: its source rests in the bucket, and goes with it.
    const idle = await startTestServer({ env: s3.env, work: false });
    try {
      await idle.login();
      const made = await createJobFromFiles(idle, [{ path: clip({ duration: 2 }), name: 'Next.mp4' }], {
        count: '1',
        intensity: 'subtle',
      });
      const next = (await made.json()) as JobView;
      const sourceKey = `uploads/${next.sources[0]?.id}.src`;
      expect(await idle.files.stat(sourceKey)).not.toBeNull();
      expect((await idle.api(`/api/jobs/${next.id}`, { method: 'DELETE' })).status).toBe(204);
      expect(await idle.files.stat(sourceKey)).toBeNull();
    } finally {
      await idle.close();
    }
  });
});
