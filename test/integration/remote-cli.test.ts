import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VidvarClient } from '../../src/client/vidvar-client.js';
import { runVidvar } from '../support/cli.js';
import { clip } from '../support/clips.js';
import { createApiToken, probeVideo } from '../support/http-client.js';
import { signedInServerForFile } from '../support/server.js';

/**
 * `vidvar remote make` as a script runs it (the real CLI process) against a real server: a local file
 * and a link in one batch, followed live, written to the folders `vidvar make` writes.
 */
const server = await signedInServerForFile({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vidvar-remote-'));
const linked = readFileSync(clip({ duration: 1, width: 320, height: 320 }));
const files = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': linked.length }).end(linked);
});
await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
afterAll(() => {
  files.closeAllConnections();
  files.close();
  rmSync(tmp, { recursive: true, force: true });
});
const link = `http://127.0.0.1:${(files.address() as AddressInfo).port}/square.mp4`;

// No token from the environment: each test gives its own.
const vidvar = (...args: string[]) => runVidvar(args, { env: { ...process.env, VIDVAR_TOKEN: '' } });

const { token } = await createApiToken(server, 'remote cli');

describe('vidvar remote make', () => {
  it('makes a batch from a file and a link on the server and writes the folders vidvar make writes', async () => {
    const out = path.join(tmp, 'out');
    const file = clip({ duration: 1 });
    const run = await vidvar(
      'remote',
      'make',
      file,
      link,
      '--server',
      server.url,
      '--token',
      token,
      '--count',
      '2',
      '--intensity',
      'subtle',
      '--seed',
      'remote',
      '--out',
      out,
    );
    expect(run.code, run.stderr).toBe(0);
    const stem = path.basename(file, '.mp4');
    expect(readdirSync(out).sort()).toEqual([stem, 'manifest.json', 'square'].sort());
    expect(readdirSync(path.join(out, stem)).sort()).toEqual([`${stem}-v01.mp4`, `${stem}-v02.mp4`].sort());
    expect(readdirSync(path.join(out, 'square')).sort()).toEqual(['square-v01.mp4', 'square-v02.mp4']);
    expect(probeVideo(path.join(out, 'square', 'square-v01.mp4'))).toMatchObject({ codec: 'h264' });
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ seed: 'remote', intensity: 'subtle', count: 2 });
    expect(manifest.outputs).toHaveLength(4);
    expect(run.stderr).toMatch(/4 of 4 variations ready/);
  });

  it('says in one line when the server refuses the token, and exits 1', async () => {
    const run = await vidvar(
      'remote',
      'make',
      clip({ duration: 1 }),
      '--server',
      server.url,
      '--token',
      'vv_wrong',
      '-n',
      '1',
      '-o',
      path.join(tmp, 'x'),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^vidvar: Authorization: that API token is unknown or was revoked\.$/m);
  });

  it('exits 2 on bad usage', async () => {
    const run = await vidvar('remote', 'make', 'a.mp4', '--token', token, '-n', '1', '-o', tmp);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--server URL/);
  });
});

describe('the typed client', () => {
  it('creates a batch from links, follows it with events and checks every answer against the schemas', async () => {
    const client = new VidvarClient({ server: server.url, token });
    const created = await client.createJob({
      urls: [link],
      count: 1,
      intensity: 'subtle',
      idempotencyKey: 'client-1',
    });
    const uploads = created.sources.map((s) => s.id);
    const retried = await client.createJob({
      uploads,
      count: 1,
      intensity: 'subtle',
      idempotencyKey: 'client-1',
    });
    expect(retried.id).toBe(created.id);
    const other = await client
      .createJob({ uploads, count: 2, intensity: 'subtle', idempotencyKey: 'client-1' })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(other).toMatchObject({ status: 422, code: 'idempotency_mismatch' });
    const updates: string[] = [];
    const done = await client.waitForJob(created.id, (job) => updates.push(job.status));
    expect(done.status).toBe('done');
    expect(updates.at(-1)).toBe('done');
    const zip = path.join(tmp, 'batch.zip');
    await client.downloadZip(done.id, zip);
    expect(readFileSync(zip).subarray(0, 2).toString()).toBe('PK');
  });

  it('sends --name, --exclude and --no-protect-text, and refuses a bad exclusion before sending anything', async () => {
    const out = path.join(tmp, 'choices');
    const file = clip({ duration: 1 });
    const common = [
      'remote',
      'make',
      file,
      '--server',
      server.url,
      '--token',
      token,
      '-n',
      '1',
      '--out',
      out,
    ];
    const bad = await vidvar(...common, '--exclude', 'mirror,confetti');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--exclude: unknown effect or family "confetti"; choose from/);
    expect(((await (await server.api('/api/uploads')).json()) as { uploads: unknown[] }).uploads).toEqual([]);
    const run = await vidvar(...common, '--name', 'Remote run', '--exclude', 'audio', '--no-protect-text');
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'Remote run', exclude: ['audio'], protectText: false });
  });
});

describe('the typed client with bytes in memory', () => {
  const client = new VidvarClient({ server: server.url, token });
  const earlierUploads = async () =>
    ((await (await server.api('/api/uploads')).json()) as { uploads: Array<{ id: string }> }).uploads;

  it('uploads a Buffer through tus like a file, named as given, and makes a batch of it', async () => {
    const data = readFileSync(clip({ duration: 1, width: 320, height: 320 }));
    const job = await client.createJob({
      files: [{ name: 'from memory.mp4', data }],
      count: 1,
      intensity: 'subtle',
    });
    expect(job.sources).toEqual([
      expect.objectContaining({ name: 'from memory.mp4', sizeBytes: data.length, width: 320, height: 320 }),
    ]);
    expect((await client.waitForJob(job.id)).status).toBe('done');
  });

  it('uploads a Blob with its size given', async () => {
    const bytes = readFileSync(clip({ duration: 1 }));
    const blob = new Blob([bytes], { type: 'video/mp4' });
    const upload = await client.uploadFile({ name: 'blob.mp4', data: blob, size: bytes.length });
    expect(upload).toMatchObject({ name: 'blob.mp4', sizeBytes: bytes.length });
    expect((await earlierUploads()).map((u) => u.id)).toContain(upload.id);
  });

  it('refuses bytes without a name, of the wrong kind or of another size, before sending anything', async () => {
    const before = await earlierUploads();
    const filesBefore = server.dataFiles();
    const data = readFileSync(clip({ duration: 1 }));
    const refusals: Array<[Parameters<VidvarClient['uploadFile']>[0], RegExp]> = [
      [{ name: ' ', data }, /^files: each upload needs a name$/],
      [{ name: 'a.mp4', data: 'not bytes' as unknown as Buffer }, /^files: a\.mp4: data must be a Buffer/],
      [
        { name: 'a.mp4', data, size: data.length - 1 },
        new RegExp(`^files: a\\.mp4: size says ${data.length - 1} bytes but the data has ${data.length}$`),
      ],
    ];
    for (const [source, message] of refusals) {
      await expect(client.uploadFile(source)).rejects.toThrow(message);
    }
    expect(await earlierUploads()).toEqual(before);
    expect(server.dataFiles()).toEqual(filesBefore);
  });
});
