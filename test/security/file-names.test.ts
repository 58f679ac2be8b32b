import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDisposition } from '../../src/http/content-disposition.js';
import { displayName } from '../../src/http/display-name.js';
import type { JobView } from '../../src/http/schemas.js';
import { ID_PATTERN } from '../../src/storage/layout.js';
import { clip } from '../support/clips.js';
import { parseCsv } from '../support/csv.js';
import { createJobFromFiles, waitForJob } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A client's file name is metadata: it never becomes a path, and wherever it is shown (JSON, ZIP
 * entries, Content-Disposition) it carries no folders, control characters or direction overrides.
 */
let server: TestServer;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'vidvar-names-'));
const LONG = `${'ü'.repeat(400)}.mp4`;
const HOSTILE = {
  traversal: '../../../etc/passwd.mp4',
  windows: 'C:\\Users\\x\\..\\..\\boot.mp4',
  control: 'a\u0000b\u001b[31mred\r\nSet-Cookie: x=1.mp4',
  long: LONG,
  nonLatin: 'видео 広告 🎬 "q".mp4',
  bidi: 'invoice\u202Egpj.mp4',
};

/** Browsers (and fetch) percent-encode quotes and line breaks in a multipart file name. */
const sent = (n: string) => n.replaceAll('"', '%22').replaceAll('\r', '%0D').replaceAll('\n', '%0A');

beforeAll(async () => {
  server = await startTestServer();
  await server.login();
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** No raw control character anywhere in an answer's text: JSON escapes them, names drop them. */
function expectNoRawControls(text: string) {
  expect(text).not.toMatch(/[\p{Cc}\u202a-\u202e]/u);
}

function expectOnlyIdFiles(files: string[]) {
  for (const file of files) {
    const base = path.basename(file).split('.')[0] as string;
    expect(base).toMatch(ID_PATTERN);
  }
}

describe('displayName', () => {
  it('keeps the last segment, drops control and bidi characters, bounds the length and keeps the extension', () => {
    expect(displayName(HOSTILE.traversal)).toBe('passwd.mp4');
    expect(displayName(HOSTILE.windows)).toBe('boot.mp4');
    expect(displayName(HOSTILE.control)).toBe('ab[31mredSet-Cookie: x=1.mp4');
    expect(displayName(HOSTILE.bidi)).toBe('invoicegpj.mp4');
    expect(displayName(HOSTILE.nonLatin)).toBe(HOSTILE.nonLatin);
    const long = displayName(LONG);
    expect(Array.from(long)).toHaveLength(255);
    expect(long.endsWith('ü.mp4')).toBe(true);
    expect(displayName('..')).toBe('video');
    expect(displayName('\u0000\u0001')).toBe('video');
    expect(displayName('half \ud83c.mp4')).toBe('half .mp4');
  });
});

describe('Content-Disposition', () => {
  it('has an ASCII fallback and the exact UTF-8 name, and cannot be broken out of', () => {
    expect(contentDisposition('attachment', 'видео "1";.mp4')).toBe(
      `attachment; filename="_____ _1__.mp4"; filename*=UTF-8''%D0%B2%D0%B8%D0%B4%D0%B5%D0%BE%20%221%22%3B.mp4`,
    );
    expect(contentDisposition('inline', "it's (1)*.mp4")).toBe(
      `inline; filename="it's (1)*.mp4"; filename*=UTF-8''it%27s%20%281%29%2A.mp4`,
    );
  });
});

describe('over multipart', () => {
  let job: JobView;

  beforeAll(async () => {
    const video = clip({ width: 160, height: 284, duration: 1 });
    const files = Object.values(HOSTILE).map((name) => ({ path: video, name }));
    const res = await createJobFromFiles(server, files, { count: '1', intensity: 'subtle', seed: 'names' });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expectNoRawControls(text);
    job = await waitForJob(server, (JSON.parse(text) as JobView).id);
    expect(job.status).toBe('done');
  });

  it('stores every file under a server id, never under its name', () => {
    const files = server.dataFiles();
    expect(files.length).toBeGreaterThan(0);
    expectOnlyIdFiles(files);
    expect(files.join('\n')).not.toMatch(/passwd|boot|видео|invoice/);
  });

  it('shows the names without folders, controls or overrides', () => {
    expect(job.sources.map((s) => s.name)).toEqual(Object.values(HOSTILE).map((n) => displayName(sent(n))));
    for (const output of job.outputs) {
      expect(output.file).not.toMatch(/[\\/]|\.\.|[\p{Cc}\u202a-\u202e]/u);
    }
  });

  it('downloads a ZIP whose entries stay inside the folder they are extracted to', async () => {
    const res = await server.api(`/api/jobs/${job.id}/download`);
    expect(res.status).toBe(200);
    const disposition = res.headers.get('content-disposition') ?? '';
    // Named after the batch, whose default name comes from a hostile file name: a plain slug, no path.
    expect(disposition).toMatch(
      /^attachment; filename="[a-z0-9-]+\.zip"; filename\*=UTF-8''[a-z0-9-]+\.zip$/,
    );
    const zip = path.join(scratch, 'names.zip');
    writeFileSync(zip, Buffer.from(await res.arrayBuffer()));
    const entries = execFileSync('zipinfo', ['-1', zip], { encoding: 'utf8' }).trim().split('\n');
    // One video per source, manifest.json and variations.csv.
    expect(entries).toHaveLength(Object.keys(HOSTILE).length + 2);
    for (const entry of entries) {
      expect(entry.startsWith('/')).toBe(false);
      expect(entry.split('/')).not.toContain('..');
      expect(entry.split('/').length).toBeLessThanOrEqual(2);
      expect(entry).not.toMatch(/[\p{Cc}\\]/u);
    }
    const out = path.join(scratch, 'unzipped');
    execFileSync('unzip', ['-q', zip, '-d', out]);
    expect(readFileSync(path.join(out, 'manifest.json'), 'utf8')).toContain('видео 広告 🎬');
    // The spreadsheet names every source as the API does: quoted where needed, no raw control characters.
    const csv = readFileSync(path.join(out, 'variations.csv'), 'utf8');
    expectNoRawControls(csv.replaceAll('\r\n', ''));
    const sources = parseCsv(csv.slice(1))
      .slice(1)
      .map((row) => row[1]);
    expect(sources.sort()).toEqual(job.sources.map((s) => s.name).sort());
  });

  it('names a single download in Content-Disposition exactly, in UTF-8 with an ASCII fallback', async () => {
    const source = job.sources.find((s) => s.name === sent(HOSTILE.nonLatin));
    const output = job.outputs.find((o) => o.sourceId === source?.id);
    const res = await server.api(`/api/jobs/${job.id}/outputs/${output?.id}`, {
      headers: { range: 'bytes=0-0' },
    });
    expect(res.status).toBe(206);
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toBe(contentDisposition('inline', output?.file as string));
    const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] as string;
    expect(decodeURIComponent(encoded)).toBe(output?.file);
    expect(output?.file.startsWith('видео 広告 🎬 %22q%22')).toBe(true);
  });
});

describe('over tus', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  for (const [kind, name] of Object.entries(HOSTILE)) {
    it(`stores a ${kind} file name safely and shows it escaped`, async () => {
      const bytes = readFileSync(clip({ width: 160, height: 284, duration: 1 }));
      const create = await server.api('/api/uploads', {
        method: 'POST',
        headers: {
          'tus-resumable': '1.0.0',
          'upload-length': String(bytes.length),
          'upload-metadata': `filename ${b64(name)}`,
        },
      });
      expect(create.status).toBe(201);
      const location = create.headers.get('location') as string;
      const id = location.split('/').pop() as string;
      expect(id).toMatch(ID_PATTERN);
      const patch = await server.api(location, {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
        },
        body: new Uint8Array(bytes),
      });
      expect(patch.status).toBe(204);
      const info = await server.api(`/api/uploads/${id}/info`);
      const text = await info.text();
      expectNoRawControls(text);
      expect(JSON.parse(text).name).toBe(displayName(name));
      expectOnlyIdFiles(server.dataFiles());
    });
  }
});
