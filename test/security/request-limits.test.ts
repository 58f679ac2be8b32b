import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clip } from '../support/clips.js';
import { videoForm } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type BareApp, startBareApp } from './support/app.js';

/**
 * Requests are bounded: JSON bodies, multipart files, fields and parts have limits, a multipart batch
 * must say its size up front, and a client that stops sending in the middle of a body is cut off.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ work: false });
  await server.login();
});
afterAll(async () => {
  await server?.close();
});

describe('JSON bodies', () => {
  it('refuses a body over 64 KiB with 413', async () => {
    const res = await server.api('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uploads: ['x'.repeat(70 * 1024)], count: 1, intensity: 'subtle' }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      code: 'too_large',
      message: 'That request is larger than this server accepts.',
    });
  });

  it('refuses too many sources, too many outputs and an oversized seed', async () => {
    const ids = Array.from({ length: 11 }, (_, i) => `upload-id-number-${i}`);
    for (const body of [
      { uploads: ids, count: 1, intensity: 'subtle' },
      { uploads: ['abcdefghijklmnopqrstuvwx'], count: 51, intensity: 'subtle' },
      { uploads: ['abcdefghijklmnopqrstuvwx'], count: 1, intensity: 'subtle', seed: 's'.repeat(65) },
      { uploads: ['abcdefghijklmnopqrstuvwx'], count: 1, intensity: 'extreme' },
    ]) {
      const res = await server.api('/api/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_request' });
    }
  });

  it('refuses a password over 1 KiB without comparing it', async () => {
    const res = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'p'.repeat(2000) }),
    });
    expect(res.status).toBe(400);
  });
});

describe('multipart batches', () => {
  const video = () => clip({ width: 160, height: 284, duration: 1 });
  const uploadsLeft = () => server.dataFiles().filter((f) => f.startsWith('uploads'));

  it('refuses more than 10 files, and keeps none of them', async () => {
    const files = Array.from({ length: 11 }, (_, i) => ({ path: video(), name: `v${i}.mp4` }));
    const res = await server.api('/api/jobs', {
      method: 'POST',
      body: videoForm(files, { count: '1', intensity: 'subtle' }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'too_many_files' });
    expect(uploadsLeft()).toEqual([]);
  });

  it('refuses extra form fields', async () => {
    const form = videoForm([], { count: '1', intensity: 'subtle', seed: 'a', extra: 'b' });
    const res = await server.api('/api/jobs', { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_request' });
  });

  it('cuts a field at 8 KiB, so a huge seed is refused as too long, naming it', async () => {
    const form = videoForm([{ path: video(), name: 'a.mp4' }], {
      count: '1',
      intensity: 'subtle',
      seed: 's'.repeat(100_000),
    });
    const res = await server.api('/api/jobs', { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/seed/);
    expect(uploadsLeft()).toEqual([]);
  });

  it('refuses a batch that does not say its size (chunked), before storing a byte', async () => {
    const form = videoForm([{ path: video(), name: 'a.mp4' }], { count: '1', intensity: 'subtle' });
    const encoded = new Response(form);
    const res = await server.api('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': encoded.headers.get('content-type') as string },
      body: Readable.toWeb(Readable.from([Buffer.from(await encoded.arrayBuffer())])) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(411);
    expect(await res.json()).toMatchObject({ code: 'length_required' });
    expect(uploadsLeft()).toEqual([]);
  });
});

describe('a client that stops sending mid-upload', () => {
  const IDLE_MS = 500;
  let bare: BareApp;
  let bytes: Buffer;

  beforeAll(async () => {
    bare = await startBareApp({ uploadIdleMs: IDLE_MS });
    bytes = readFileSync(clip({ width: 160, height: 284, duration: 1 }));
  });
  afterAll(async () => {
    await bare?.close();
  });

  /** Sends a request head and some body bytes on a raw socket; resolves when the server closes it. */
  function rawRequest(
    head: string,
    chunks: Buffer[],
    gapMs = 0,
  ): { socket: Socket; closed: Promise<string> } {
    const { port } = new URL(bare.url);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString('latin1');
    });
    const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(answer)));
    socket.on('error', () => undefined);
    socket.write(head);
    void (async () => {
      for (const chunk of chunks) {
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
        if (!socket.destroyed) socket.write(chunk);
      }
    })();
    return { socket, closed };
  }

  async function createTusUpload(): Promise<string> {
    const res = await fetch(`${bare.url}/api/uploads`, {
      method: 'POST',
      headers: {
        cookie: bare.cookie,
        'tus-resumable': '1.0.0',
        'upload-length': String(bytes.length),
        'upload-metadata': `filename ${Buffer.from('slow.mp4').toString('base64')}`,
      },
    });
    expect(res.status).toBe(201);
    return res.headers.get('location') as string;
  }

  const patchHead = (location: string, length: number, offset = 0) =>
    `PATCH ${location} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${bare.cookie}\r\nTus-Resumable: 1.0.0\r\n` +
    `Upload-Offset: ${offset}\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: ${length}\r\n\r\n`;

  it('cuts off a stalled tus PATCH; what arrived is kept and the upload resumes', async () => {
    const location = await createTusUpload();
    const half = Math.floor(bytes.length / 2);
    const { closed } = rawRequest(patchHead(location, bytes.length), [bytes.subarray(0, half)]);
    expect(await closed).toBe('');
    const head = await fetch(`${bare.url}${location}`, {
      method: 'HEAD',
      headers: { cookie: bare.cookie, 'tus-resumable': '1.0.0' },
    });
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(half);
    const rest = await fetch(`${bare.url}${location}`, {
      method: 'PATCH',
      headers: {
        cookie: bare.cookie,
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      },
      body: new Uint8Array(bytes.subarray(offset)),
    });
    expect(rest.status).toBe(204);
  });

  it('cuts off a stalled multipart batch and deletes what it wrote', async () => {
    const form = new Response(
      videoForm([{ path: clip({ width: 160, height: 284, duration: 1 }), name: 'a.mp4' }], {
        count: '1',
        intensity: 'subtle',
      }),
    );
    const body = Buffer.from(await form.arrayBuffer());
    const head =
      `POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${bare.cookie}\r\n` +
      `Content-Type: ${form.headers.get('content-type')}\r\nContent-Length: ${body.length}\r\n\r\n`;
    const before = readdirSync(bare.layout.uploads);
    const { closed } = rawRequest(head, [body.subarray(0, Math.floor(body.length * 0.8))]);
    expect(await closed).toBe('');
    const partFiles = () => readdirSync(bare.layout.uploads).filter((f) => f.endsWith('.part'));
    for (let i = 0; i < 100 && partFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(bare.layout.uploads)).toEqual(before);
  });

  it('lets a slow upload through as long as bytes keep coming', async () => {
    const location = await createTusUpload();
    const chunks = Array.from({ length: 8 }, (_, i) =>
      bytes.subarray(Math.floor((i * bytes.length) / 8), Math.floor(((i + 1) * bytes.length) / 8)),
    );
    // Eight pauses of 60 % of the idle time: the whole body takes longer than the idle time, five times over.
    const { socket, closed } = rawRequest(patchHead(location, bytes.length), chunks, IDLE_MS * 0.6);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.includes('\r\n\r\n')) resolve(text);
      });
      void closed.then(() => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 204/);
    socket.destroy();
  });
});
