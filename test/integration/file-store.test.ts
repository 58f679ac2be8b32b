import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileAudit } from '../../src/storage/file-audit.js';
import type { FileStore } from '../../src/storage/file-store.js';
import { type DataLayout, dataLayout } from '../../src/storage/layout.js';
import { LocalFileStore } from '../../src/storage/local-file-store.js';
import { S3FileStore } from '../../src/storage/s3-file-store.js';
import type { S3Settings } from '../../src/storage/s3-settings.js';
import { startS3Server, type TestS3Server } from '../support/s3-server.js';

const s3 = await startS3Server();
afterAll(() => s3.stop());

const settings = (server: TestS3Server, maxAttempts?: number): S3Settings => ({
  endpoint: server.endpoint,
  bucket: server.bucket,
  region: 'us-east-1',
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  forcePathStyle: true,
  ...(maxAttempts ? { maxAttempts } : {}),
});

const silent = pino({ level: 'silent' });
let layout: DataLayout;
const opened: S3FileStore[] = [];

beforeEach(() => {
  layout = dataLayout(mkdtempSync(path.join(os.tmpdir(), 'vidvar-file-store-')));
});
afterEach(async () => {
  for (const store of opened.splice(0)) {
    for await (const file of store.list('')) await store.remove(file.key);
    store.close();
  }
  rmSync(layout.root, { recursive: true, force: true });
});

function s3Store(
  server = s3,
  options: { maxAttempts?: number; readLocal?: (file: string) => Readable } = {},
) {
  const store = new S3FileStore(
    layout,
    createFileAudit(layout, silent),
    settings(server, options.maxAttempts),
    options.readLocal,
  );
  opened.push(store);
  return store;
}

const kinds: Array<[string, () => FileStore]> = [
  ['local folder', () => new LocalFileStore(layout, createFileAudit(layout, silent))],
  ['S3 bucket', () => s3Store()],
];

/** Writes a file into the data folder as a render or an upload would, at the key's path. */
function writeLocal(key: string, content: string | Buffer): string {
  const file = path.join(layout.root, key);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

async function keysOf(store: FileStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const file of store.list(prefix)) keys.push(file.key);
  return keys.sort();
}

describe.each(kinds)('files resting in the %s', (kind, make) => {
  it('publishes a file, then opens it whole or by range, and tells its size', async () => {
    const store = make();
    const file = writeLocal('outputs/job-aaaaaaaaaaaaaaaa/out-aaaaaaaaaaaaaaaa.mp4', '0123456789');
    await store.publish('outputs/job-aaaaaaaaaaaaaaaa/out-aaaaaaaaaaaaaaaa.mp4', {
      contentType: 'video/mp4',
    });
    // In S3 mode the bucket is where it rests: the working copy is gone.
    expect(existsSync(file)).toBe(store.kind === 'local');

    const whole = await store.open('outputs/job-aaaaaaaaaaaaaaaa/out-aaaaaaaaaaaaaaaa.mp4');
    expect(whole?.size).toBe(10);
    expect(await text(whole?.stream ?? Readable.from([]))).toBe('0123456789');
    const part = await store.open('outputs/job-aaaaaaaaaaaaaaaa/out-aaaaaaaaaaaaaaaa.mp4', {
      start: 2,
      end: 4,
    });
    expect(part?.size).toBe(10);
    expect(await text(part?.stream ?? Readable.from([]))).toBe('234');

    const stat = await store.stat('outputs/job-aaaaaaaaaaaaaaaa/out-aaaaaaaaaaaaaaaa.mp4');
    expect(stat?.size).toBe(10);
    expect(stat?.modifiedMs).toBeGreaterThan(Date.now() - 3_600_000);
  });

  it('lists and removes by key and by prefix', async () => {
    const store = make();
    const keys = [
      'outputs/job-aaaaaaaaaaaaaaaa/a.mp4',
      'outputs/job-aaaaaaaaaaaaaaaa/a.jpg',
      'outputs/job-bbbbbbbbbbbbbbbb/b.mp4',
      'uploads/src-aaaaaaaaaaaaaaaa.src',
    ];
    for (const key of keys) {
      writeLocal(key, key);
      await store.publish(key);
    }
    expect(await keysOf(store, 'outputs/')).toEqual(keys.slice(0, 3).sort());
    expect(await keysOf(store, 'outputs/job-a')).toEqual(keys.slice(0, 2).sort());
    expect(await keysOf(store, 'outputs/job-cccccccccccccccc/')).toEqual([]);

    await store.remove('uploads/src-aaaaaaaaaaaaaaaa.src');
    await store.remove('uploads/src-aaaaaaaaaaaaaaaa.src'); // gone already: nothing to do
    expect(await store.stat('uploads/src-aaaaaaaaaaaaaaaa.src')).toBeNull();

    expect(await store.removePrefix('outputs/job-aaaaaaaaaaaaaaaa/')).toBe(2);
    expect(await keysOf(store, 'outputs/')).toEqual(['outputs/job-bbbbbbbbbbbbbbbb/b.mp4']);
    if (kind === 'local folder') {
      expect(existsSync(path.join(layout.root, 'outputs/job-aaaaaaaaaaaaaaaa'))).toBe(false);
    }
    expect(await store.removePrefix('outputs/job-aaaaaaaaaaaaaaaa/')).toBe(0);
  });

  it('gives a local copy to work on, fetched from where it rests; null for a file that does not exist', async () => {
    const store = make();
    const content = Buffer.alloc(3 * 1024 * 1024 + 7, 7);
    const file = writeLocal('uploads/src-aaaaaaaaaaaaaaaa.src', content);
    await store.publish('uploads/src-aaaaaaaaaaaaaaaa.src');
    expect(await store.ensureLocal('uploads/src-aaaaaaaaaaaaaaaa.src')).toBe(file);
    expect(readFileSync(file).equals(content)).toBe(true);
    // No temporary file stays beside it.
    expect(readdirSync(layout.uploads)).toEqual(['src-aaaaaaaaaaaaaaaa.src']);
    expect(await store.ensureLocal('uploads/src-bbbbbbbbbbbbbbbb.src')).toBeNull();
    expect(await store.open('uploads/src-bbbbbbbbbbbbbbbb.src')).toBeNull();
    expect(await store.stat('uploads/src-bbbbbbbbbbbbbbbb.src')).toBeNull();
  });

  it('refuses keys that would leave the data folder or are not plain relative paths', async () => {
    const store = make();
    for (const key of ['../outside', '/etc/passwd', 'outputs/../../x', 'outputs//x', './x', '', 'a\\b']) {
      await expect(store.publish(key), key).rejects.toThrow('invalid storage key');
      await expect(store.open(key), key).rejects.toThrow('invalid storage key');
      await expect(store.ensureLocal(key), key).rejects.toThrow('invalid storage key');
      await expect(store.remove(key), key).rejects.toThrow('invalid storage key');
    }
    await expect(keysOf(store, '../')).rejects.toThrow('invalid storage key');
  });

  it('hands out a short-lived download link in S3 mode only', async () => {
    const store = make();
    writeLocal('outputs/job-aaaaaaaaaaaaaaaa/x.mp4', 'video bytes');
    await store.publish('outputs/job-aaaaaaaaaaaaaaaa/x.mp4', { contentType: 'video/mp4' });
    const disposition = `attachment; filename="Summer sale.mp4"; filename*=UTF-8''Summer%20sale.mp4`;
    const url = await store.downloadUrl('outputs/job-aaaaaaaaaaaaaaaa/x.mp4', {
      contentDisposition: disposition,
      expiresSec: 300,
    });
    if (kind === 'local folder') {
      expect(url).toBeNull();
      return;
    }
    const res = await fetch(url ?? '');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(disposition);
    expect(await res.text()).toBe('video bytes');
  });
});

describe('publishing to a bucket that fails', () => {
  it('leaves no object when the file breaks off midway through a multipart upload, and keeps the local copy', async () => {
    const key = 'outputs/job-aaaaaaaaaaaaaaaa/big.mp4';
    const file = writeLocal(key, Buffer.alloc(1));
    // Two whole 8 MiB parts, then the read fails: the upload is multipart by then.
    const breaking = () =>
      Readable.from(
        (async function* () {
          yield Buffer.alloc(8 * 1024 * 1024, 1);
          yield Buffer.alloc(8 * 1024 * 1024, 2);
          yield Buffer.alloc(1024, 3);
          throw new Error('disk read failed');
        })(),
      );
    const store = s3Store(s3, { readLocal: breaking });
    const failure = await store.publish(key).then(
      () => null,
      (error: Error) => error,
    );
    expect(failure?.message).toBe(`storing ${key} in the bucket failed: disk read failed`);
    expect(await store.stat(key)).toBeNull();
    expect(await keysOf(store, '')).toEqual([]);
    expect(existsSync(file)).toBe(true);
    // The parts already sent went with the aborted upload: none stays open to be billed.
    const open = await store.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it('fails with a clear reason after its retries when the S3 server is down', async () => {
    const down = await startS3Server('down');
    await down.stop();
    const store = s3Store(down, { maxAttempts: 2 });
    writeLocal('outputs/job-aaaaaaaaaaaaaaaa/x.mp4', 'video');
    const failure = await store.publish('outputs/job-aaaaaaaaaaaaaaaa/x.mp4').then(
      () => null,
      (error: Error) => error,
    );
    opened.pop(); // nothing to clean up in a server that is gone
    store.close();
    expect(failure?.message).toMatch(/^storing outputs\/job-aaaaaaaaaaaaaaaa\/x\.mp4 in the bucket failed/);
    expect(failure?.message).toContain('after 2 attempts');
    expect(failure?.message).toContain('ECONNREFUSED');
  });
});
