import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { UploadInfo } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import { signedInServerForFile } from '../support/server.js';

/**
 * Import from a link on the real server, from a real file server on loopback (reachable only because
 * WEBHOOK_ALLOW_PRIVATE=true here): redirects, the size cap, things that are not videos, refusals.
 */
const MAX = 2 * 1024 * 1024;
const video = readFileSync(clip({ duration: 1 }));
const files = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://files');
  const hops = /^\/hop\/(\d+)$/.exec(url.pathname);
  if (hops) {
    const n = Number(hops[1]);
    res.writeHead(302, { location: n > 1 ? `/hop/${n - 1}` : '/media/spring%20ad.mp4' }).end();
  } else if (url.pathname === '/media/spring%20ad.mp4') {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length }).end(video);
  } else if (url.pathname === '/download') {
    res
      .writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-disposition': 'attachment; filename="promo.mp4"',
      })
      .end(video);
  } else if (url.pathname === '/big.mp4') {
    res.writeHead(200, { 'content-length': MAX + 1 }).end(Buffer.alloc(MAX + 1));
  } else if (url.pathname === '/big-unsized.mp4') {
    // No length: the cap must be enforced on the bytes as they arrive.
    res.writeHead(200, { 'content-type': 'video/mp4' });
    res.write(video);
    res.end(Buffer.alloc(MAX));
  } else if (url.pathname === '/page.html') {
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>Sign in to see this file</title>');
  } else if (url.pathname === '/to-file') {
    res.writeHead(302, { location: 'file:///etc/passwd' }).end();
  } else {
    res.writeHead(404).end('not here');
  }
});
await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
afterAll(
  () =>
    new Promise<void>((resolve) => {
      files.closeAllConnections();
      files.close(() => resolve());
    }),
);

const server = await signedInServerForFile({
  work: false,
  env: { WEBHOOK_ALLOW_PRIVATE: 'true', MAX_UPLOAD_BYTES: String(MAX) },
});
const deployed = await signedInServerForFile({ work: false });

const importLink = (url: string, target = server) =>
  target.api('/api/uploads/from-url', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
  });

/** The refusal, and that it left no file and no promised space behind. */
async function refused(url: string, status: number, message: RegExp): Promise<void> {
  const filesBefore = server.dataFiles();
  // Space promised to earlier imports counts until a walk of the folder has measured their files.
  await server.budget.refresh();
  const reservedBefore = server.budget.reservedBytes();
  const res = await importLink(url);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.message).toMatch(message);
  expect(server.dataFiles()).toEqual(filesBefore);
  await server.budget.refresh();
  expect(server.budget.reservedBytes()).toBe(reservedBefore);
}

describe('import from a link', () => {
  it('admits a video through 5 redirects, named from the link, usable in a batch', async () => {
    const res = await importLink(`${base}/hop/5`);
    expect(res.status).toBe(201);
    const upload = (await res.json()) as UploadInfo;
    expect(upload).toMatchObject({ name: 'spring ad.mp4', sizeBytes: video.length, width: 320, height: 568 });
    expect(upload.durationSec).toBeGreaterThan(0.9);
    const job = await server.api('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uploads: [upload.id], count: 1, intensity: 'subtle' }),
    });
    expect(job.status).toBe(201);
  });

  it('takes the name the server gives the file', async () => {
    const res = await importLink(`${base}/download`);
    expect(res.status).toBe(201);
    expect(((await res.json()) as UploadInfo).name).toBe('promo.mp4');
  });

  it('refuses a sixth redirect', async () => {
    await refused(`${base}/hop/6`, 422, /^That link redirects more than 5 times\.$/);
  });

  it('checks where every redirect goes', async () => {
    await refused(`${base}/to-file`, 400, /^url: only http\(s\) links/);
  });

  it('refuses a file over the size cap, by its length or while it streams, leaving nothing', async () => {
    await refused(`${base}/big.mp4`, 413, /^That link leads to a file larger than the 2 MB/);
    await refused(`${base}/big-unsized.mp4`, 413, /^That link leads to a file larger than the 2 MB/);
  });

  it('refuses what is not a video in one sentence', async () => {
    await refused(`${base}/page.html`, 422, /^That link did not lead to a video file\.$/);
    await refused(
      `${base}/missing.mp4`,
      422,
      /^That link did not lead to a file: its server answered 404\.$/,
    );
    await refused(`http://127.0.0.1:1/ad.mp4`, 422, /^That link could not be downloaded/);
  });

  it('refuses links that are not http(s), naming the field', async () => {
    for (const url of ['ftp://example.com/ad.mp4', 'file:///etc/passwd', 'not a link']) {
      await refused(url, 400, /\burl: /);
    }
  });

  it('refuses private, loopback and link-local addresses without WEBHOOK_ALLOW_PRIVATE', async () => {
    for (const url of [
      `${base}/download`,
      'http://localhost/ad.mp4',
      'http://[::1]/a.mp4',
      'http://169.254.169.254/',
    ]) {
      const res = await importLink(url, deployed);
      expect(res.status, url).toBe(400);
      expect((await res.json()).message, url).toMatch(/^url: that link points to a private or local address/);
    }
    expect(deployed.dataFiles()).toEqual([]);
  });
});
