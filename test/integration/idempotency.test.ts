import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import {
  createApiToken,
  createJobFromFiles,
  tusFilenameMetadata,
  tusUpload,
} from '../support/http-client.js';
import { startRedisServer } from '../support/redis-server.js';
import { signedInServerForFile, startTestServer, type TestServer } from '../support/server.js';

/** Idempotency-Key on job creation (JSON and multipart) and on tus upload creation, on the real server. */
let offsetMs = 0;
const server = await signedInServerForFile({ work: false, clock: () => Date.now() + offsetMs });
const bytes = readFileSync(clip({ duration: 1 }));

async function upload(): Promise<string> {
  const { create, patch } = await tusUpload(server, bytes, 'ad.mp4');
  expect(patch?.status).toBe(204);
  return (create.headers.get('location') as string).split('/').pop() as string;
}

function postJob(body: unknown, key?: string, headers: Record<string, string> = {}): Promise<Response> {
  return server.api('/api/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}), ...headers },
    body: JSON.stringify(body),
  });
}

const jobCount = async () =>
  ((await (await server.api('/api/jobs')).json()) as { jobs: unknown[] }).jobs.length;

function createUpload(key: string, length: number, name = 'a.mp4'): Promise<Response> {
  return server.api('/api/uploads', {
    method: 'POST',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-length': String(length),
      'upload-metadata': tusFilenameMetadata(name),
      'idempotency-key': key,
    },
  });
}

describe('Idempotency-Key', () => {
  it('gives a retried JSON job request the first answer instead of a second batch', async () => {
    const body = { uploads: [await upload()], count: 1, intensity: 'subtle' };
    const before = await jobCount();
    const first = await postJob(body, 'job-key-1');
    expect(first.status).toBe(201);
    const firstBody = await first.text();
    const retry = await postJob(body, 'job-key-1');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.text()).toBe(firstBody);
    expect(await jobCount()).toBe(before + 1);
    // Without a key, the same request is a new request (here: its upload is used up).
    expect((await postJob(body)).status).toBe(404);
  });

  it('refuses the same key with a different request (422), and keeps the first answer', async () => {
    const body = { uploads: [await upload()], count: 1, intensity: 'subtle' };
    const first = (await (await postJob(body, 'job-key-2')).json()) as JobView;
    const other = await postJob({ ...body, count: 2 }, 'job-key-2');
    expect(other.status).toBe(422);
    expect(await other.json()).toEqual({
      code: 'idempotency_mismatch',
      message: expect.stringMatching(/^Idempotency-Key: /),
    });
    expect(((await (await postJob(body, 'job-key-2')).json()) as JobView).id).toBe(first.id);
  });

  it('does not keep failures: the key may be used again after one', async () => {
    const missing = await postJob(
      { uploads: ['no-such-upload'], count: 1, intensity: 'subtle' },
      'job-key-3',
    );
    expect(missing.status).toBe(404);
    const body = { uploads: [await upload()], count: 1, intensity: 'subtle' };
    expect((await postJob(body, 'job-key-3')).status).toBe(201);
  });

  it('scopes keys to the credential: a token and a session do not share them', async () => {
    const token = await createApiToken(server, 'retries');
    const body = { uploads: [await upload()], count: 1, intensity: 'subtle' };
    expect((await postJob(body, 'shared-key')).status).toBe(201);
    const other = { uploads: [await upload()], count: 1, intensity: 'subtle' };
    const viaToken = await fetch(`${server.url}/api/jobs`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': 'shared-key',
        authorization: `Bearer ${token.token}`,
      },
      body: JSON.stringify(other),
    });
    expect(viaToken.status).toBe(201);
  });

  it('gives a retried multipart request the first batch, leaving no file of the retry behind', async () => {
    const fields = { count: '1', intensity: 'subtle' };
    const files = [{ path: clip({ duration: 1 }), name: 'promo.mp4' }];
    const send = (key: string, f = fields) =>
      server.api('/api/jobs', {
        method: 'POST',
        body: (() => {
          const form = new FormData();
          for (const [k, v] of Object.entries(f)) form.append(k, v);
          form.append('files', new Blob([bytes]), 'promo.mp4');
          return form;
        })(),
        headers: { 'idempotency-key': key },
      });
    const first = await send('multi-1');
    expect(first.status).toBe(201);
    const job = (await first.json()) as JobView;
    const filesAfterFirst = server.dataFiles();
    const retry = await send('multi-1');
    expect(retry.status).toBe(201);
    expect(((await retry.json()) as JobView).id).toBe(job.id);
    expect(server.dataFiles()).toEqual(filesAfterFirst);
    const changed = await send('multi-1', { count: '2', intensity: 'subtle' });
    expect(changed.status).toBe(422);
    expect(server.dataFiles()).toEqual(filesAfterFirst);
    expect((await createJobFromFiles(server, files, fields)).status).toBe(201);
  });

  it('refuses the same key with another file of the same name and size (422), leaving none of its files', async () => {
    const send = (video: Uint8Array<ArrayBuffer>) => {
      const form = new FormData();
      form.append('count', '1');
      form.append('intensity', 'subtle');
      form.append('files', new Blob([video]), 'same.mp4');
      return server.api('/api/jobs', {
        method: 'POST',
        body: form,
        headers: { 'idempotency-key': 'bytes-1' },
      });
    };
    const first = await send(Uint8Array.from(bytes));
    expect(first.status).toBe(201);
    const filesAfterFirst = server.dataFiles();
    const jobsAfterFirst = await jobCount();
    // One byte in the middle changed: the same length, another file.
    const other = Uint8Array.from(bytes);
    const middle = Math.floor(other.length / 2);
    other[middle] = (other[middle] as number) ^ 0xff;
    const changed = await send(other);
    expect(changed.status).toBe(422);
    expect(await changed.json()).toMatchObject({ code: 'idempotency_mismatch' });
    expect(server.dataFiles()).toEqual(filesAfterFirst);
    expect(await jobCount()).toBe(jobsAfterFirst);
  });

  it('gives a retried tus creation the same Location, and refuses it with another length', async () => {
    const first = await createUpload('tus-key-1', bytes.length);
    expect(first.status).toBe(201);
    const location = first.headers.get('location');
    expect(location).toMatch(/^\/api\/uploads\/[A-Za-z0-9_-]+$/);
    const tusFiles = () => server.dataFiles().filter((f) => f.startsWith('tus'));
    const filesAfterFirst = tusFiles();
    const retry = await createUpload('tus-key-1', bytes.length);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('location')).toBe(location);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(tusFiles()).toEqual(filesAfterFirst);
    const other = await createUpload('tus-key-1', bytes.length + 1);
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: 'idempotency_mismatch' });
    // The upload the key created is the one to resume.
    const patch = await server.api(location as string, {
      method: 'PATCH',
      headers: {
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
      body: new Uint8Array(bytes),
    });
    expect(patch.status).toBe(204);
  });

  it('refuses a malformed key with a 400 naming the header, creating nothing', async () => {
    const before = await jobCount();
    for (const key of ['x'.repeat(256), 'with space']) {
      const res = await postJob({ uploads: ['whatever'], count: 1, intensity: 'subtle' }, key);
      expect(res.status, key).toBe(400);
      expect((await res.json()).message, key).toMatch(/^Idempotency-Key: /);
    }
    const tus = await createUpload('bad key', 10);
    expect(tus.status).toBe(400);
    expect(await jobCount()).toBe(before);
  });

  it('forgets keys after 24 h', async () => {
    const body = { uploads: [await upload()], count: 1, intensity: 'subtle' };
    const first = (await (await postJob(body, 'old-key')).json()) as JobView;
    offsetMs = 24 * 3600_000 + 60_000;
    const later = { uploads: [await upload()], count: 1, intensity: 'subtle' };
    const res = await postJob(later, 'old-key');
    expect(res.status).toBe(201);
    expect(((await res.json()) as JobView).id).not.toBe(first.id);
  });
});

describe('Idempotency-Key across API processes sharing Redis', () => {
  it('gives a retry that reaches another process the first answer, and refuses another body there', async () => {
    const redis = await startRedisServer();
    const env = { REDIS_URL: redis.url };
    const [a, b] = [await startTestServer({ work: false, env }), await startTestServer({ work: false, env })];
    try {
      expect((await a.login()).status).toBe(204);
      b.cookie = a.cookie;
      const { create } = await tusUpload(a, bytes, 'ad.mp4');
      const uploadId = (create.headers.get('location') as string).split('/').pop() as string;
      const body = JSON.stringify({ uploads: [uploadId], count: 1, intensity: 'subtle' });
      const post = (target: TestServer, text: string) =>
        target.api('/api/jobs', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'shared-key' },
          body: text,
        });
      const first = await post(a, body);
      expect(first.status).toBe(201);
      const retry = await post(b, body);
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await retry.text()).toBe(await first.text());
      expect((await post(b, body.replace('"count":1', '"count":2'))).status).toBe(422);
      const listed = (await (await b.api('/api/jobs')).json()) as { jobs: unknown[] };
      expect(listed.jobs).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
      await redis.close();
    }
  });
});
