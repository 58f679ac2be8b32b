import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { cachedFile, clip } from '../support/clips.js';
import {
  createJobFromFiles,
  createJobFromUploads,
  tusFilenameMetadata,
  tusUpload,
  waitForJob,
} from '../support/http-client.js';
import { signedInServerForFile, startTestServer, type TestServer } from '../support/server.js';

const server = await signedInServerForFile();

describe('resumable upload (tus)', () => {
  it('survives an interruption, resumes where it stopped, and feeds a batch', async () => {
    const bytes = readFileSync(clip({ duration: 2 }));
    const chunkSize = 64 * 1024;
    const options = {
      endpoint: `${server.url}/api/uploads`,
      chunkSize,
      retryDelays: null,
      storeFingerprintForResuming: false,
      metadata: { filename: 'Launch Teaser.mp4' },
      headers: { cookie: server.cookie },
    };

    // First attempt: stopped by the client after the second chunk.
    let chunks = 0;
    const first = new tus.Upload(bytes, {
      ...options,
      onChunkComplete: () => {
        chunks++;
        if (chunks === 2) void first.abort();
      },
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (chunks >= 2) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
      first.options.onError = (error) => reject(error);
      first.start();
    });
    const url = first.url as string;
    expect(url).toMatch(/\/api\/uploads\/[A-Za-z0-9_-]{22,}$/);
    const head = await server.api(new URL(url).pathname, {
      method: 'HEAD',
      headers: { 'tus-resumable': '1.0.0' },
    });
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBe(2 * chunkSize);
    expect(offset).toBeLessThan(bytes.length);

    // Second attempt: resumes from the server's offset, not from zero.
    let resentFrom = -1;
    let resentChunks = 0;
    await new Promise<void>((resolve, reject) => {
      const second = new tus.Upload(bytes, {
        ...options,
        uploadUrl: url,
        onProgress: (sent) => {
          if (resentFrom === -1) resentFrom = sent;
        },
        onChunkComplete: () => {
          resentChunks++;
        },
        onSuccess: () => resolve(),
        onError: reject,
      });
      second.start();
    });
    expect(resentFrom).toBe(offset);
    expect(resentChunks).toBe(Math.ceil((bytes.length - offset) / chunkSize));

    const uploadId = url.split('/').pop() as string;
    const info = await server.api(`/api/uploads/${uploadId}/info`);
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({
      id: uploadId,
      name: 'Launch Teaser.mp4',
      sizeBytes: bytes.length,
      width: 320,
      height: 568,
    });

    const res = await createJobFromUploads(server, [uploadId]);
    expect(res.status).toBe(201);
    const job = await waitForJob(server, ((await res.json()) as JobView).id);
    expect(job.status).toBe('done');
    expect(job.sources[0]?.name).toBe('Launch Teaser.mp4');
    // The upload now belongs to the batch: it cannot start a second one.
    expect((await server.api(`/api/uploads/${uploadId}/info`)).status).toBe(404);
  });
});

describe('refused uploads leave nothing behind', () => {
  const cases: Array<{ what: string; bytes: () => Buffer; name: string }> = [
    { what: 'a text file', name: 'notes.mp4', bytes: () => Buffer.from('hello, this is text\n'.repeat(200)) },
    { what: 'an empty file', name: 'empty.mp4', bytes: () => Buffer.alloc(0) },
    {
      what: 'a truncated video',
      name: 'cut.mp4',
      bytes: () => {
        const whole = readFileSync(clip({ duration: 2 }));
        return readFileSync(
          cachedFile('truncated-40pct.mp4', () => whole.subarray(0, Math.floor(whole.length * 0.4))),
        );
      },
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.what} over tus with 422 naming the file`, async () => {
      const { create, patch } = await tusUpload(server, c.bytes(), c.name);
      const answer = patch ?? create;
      expect(answer.status).toBe(422);
      expect(answer.headers.get('content-type')).toMatch(/application\/json/);
      const body = await answer.json();
      expect(body.code).toMatch(/^[a-z_]+$/);
      expect(body.message).toContain(c.name);
      expect(JSON.stringify(body)).not.toContain(server.layout.root);
      expect(server.dataFiles().filter((f) => f.startsWith('uploads'))).toEqual([]);
    });
  }

  it('refuses a multipart batch with an empty file', async () => {
    const empty = cachedFile('empty.bin', () => Buffer.alloc(0));
    const res = await createJobFromFiles(server, [{ path: empty, name: 'nothing.mp4' }], {
      count: '1',
      intensity: 'subtle',
    });
    expect(res.status).toBe(422);
    expect((await res.json()).message).toContain('nothing.mp4');
    expect(server.dataFiles().filter((f) => f.startsWith('uploads'))).toEqual([]);
  });
});

describe('limits', () => {
  let small: TestServer;
  let full: TestServer;
  const big = () => cachedFile('random-1536k.bin', () => randomBytes(1536 * 1024));

  beforeAll(async () => {
    small = await startTestServer({ work: false, env: { MAX_UPLOAD_BYTES: String(1024 * 1024) } });
    full = await startTestServer({ work: false, env: { STORAGE_BUDGET_BYTES: String(3 * 1024 * 1024) } });
    await small.login();
    await full.login();
  });
  afterAll(async () => {
    await small?.close();
    await full?.close();
  });

  it('refuses a file over the size cap before taking its bytes', async () => {
    const { create } = await tusUpload(small, readFileSync(big()), 'huge.mp4');
    expect(create.status).toBe(413);
    expect(await create.json()).toMatchObject({ code: 'too_large' });

    const res = await createJobFromFiles(small, [{ path: big(), name: 'huge.mp4' }], {
      count: '1',
      intensity: 'subtle',
    });
    expect(res.status).toBe(413);
    const body = await res.json();
    expect(body).toMatchObject({ code: 'too_large' });
    expect(body.message).toMatch(/1 MB/);
    expect(small.dataFiles()).toEqual([]);
  });

  it('refuses an upload the storage budget cannot hold', async () => {
    const length = 5 * 1024 * 1024;
    const create = await full.api('/api/uploads', {
      method: 'POST',
      headers: {
        'tus-resumable': '1.0.0',
        'upload-length': String(length),
        'upload-metadata': tusFilenameMetadata('a.mp4'),
      },
    });
    expect(create.status).toBe(507);
    expect(await create.json()).toEqual({
      code: 'storage_full',
      message: expect.stringMatching(/^The server is full right now: .* Try again later/),
    });

    const bytes = Buffer.alloc(length);
    const form = new FormData();
    form.append('count', '1');
    form.append('intensity', 'subtle');
    form.append('files', new Blob([bytes]), 'a.mp4');
    const res = await full.api('/api/jobs', { method: 'POST', body: form });
    expect(res.status).toBe(507);
    expect(await res.json()).toMatchObject({ code: 'storage_full' });
    expect(full.dataFiles()).toEqual([]);
  });
});
