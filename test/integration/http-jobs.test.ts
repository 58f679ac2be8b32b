import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import { parseCsv } from '../support/csv.js';
import { createJobFromFiles, openFilesUnder, probeVideo, waitForJob } from '../support/http-client.js';
import { jobEvents } from '../support/job-event-stream.js';
import { signedInServerForFile } from '../support/server.js';

const server = await signedInServerForFile();

/** Reads an SSE stream until it ends, returning every `job` event. */
async function readJobEvents(res: Response): Promise<JobView[]> {
  const events: JobView[] = [];
  for await (const job of jobEvents(res.body as unknown as AsyncIterable<Uint8Array>)) events.push(job);
  return events;
}

describe('a batch from a multipart upload', () => {
  let job: JobView;
  let events: JobView[];
  let pollerStatuses: number[];

  beforeAll(async () => {
    const a = clip({ duration: 2 });
    const b = clip({ duration: 2, width: 320, height: 320 });
    const res = await createJobFromFiles(
      server,
      [
        { path: a, name: 'Summer Sale.mp4' },
        { path: b, name: '../square ad.mov' },
      ],
      { count: '3', intensity: 'medium', seed: 'http-test' },
    );
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    expect(created).toMatchObject({ count: 3, intensity: 'medium', seed: 'http-test' });
    // The client's folder part of a name never reaches the server.
    expect(created.sources.map((s) => s.name)).toEqual(['Summer Sale.mp4', 'square ad.mov']);
    expect(created.outputs).toHaveLength(6);

    const stream = server.api(`/api/jobs/${created.id}/events`).then(readJobEvents);
    // 20 people watching the same batch while it encodes: every poll is answered.
    pollerStatuses = [];
    const pollers = Array.from({ length: 20 }, async () => {
      for (let round = 0; round < 5; round++) {
        const poll = await server.api(`/api/jobs/${created.id}`);
        pollerStatuses.push(poll.status);
        await poll.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    await Promise.all(pollers);
    events = await stream;
    job = await waitForJob(server, created.id);
  });

  it('finishes with every variation described', () => {
    expect(job.status).toBe('done');
    expect(job.progress).toBe(1);
    for (const output of job.outputs) {
      expect(output.status).toBe('done');
      expect(output.size).toBeGreaterThan(0);
      expect(output.effects.length).toBeGreaterThan(0);
      for (const effect of output.effects) {
        expect(effect.label.length).toBeGreaterThan(0);
        expect(effect.description.length).toBeGreaterThan(0);
        expect(effect.plain.length).toBeGreaterThan(0);
        expect(['framing', 'colour', 'texture', 'timing', 'audio']).toContain(effect.family);
      }
    }
    expect(job.outputs.map((o) => o.file)).toEqual([
      'Summer Sale-v01.mp4',
      'Summer Sale-v02.mp4',
      'Summer Sale-v03.mp4',
      'square ad-v01.mp4',
      'square ad-v02.mp4',
      'square ad-v03.mp4',
    ]);
  });

  it('answered all 20 concurrent pollers', () => {
    expect(pollerStatuses).toHaveLength(100);
    expect(pollerStatuses.every((status) => status === 200)).toBe(true);
  });

  it('streamed progress over SSE, then the final state, then ended', () => {
    expect(events.length).toBeGreaterThan(2);
    expect(events.some((e) => e.status === 'running' && e.progress > 0 && e.progress < 1)).toBe(true);
    const last = events.at(-1) as JobView;
    expect(last.status).toBe('done');
    const progress = events.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
  });

  it('says in the manifest when the batch was rendered with another FFmpeg build than the server runs now', async () => {
    // As after a deploy that upgraded FFmpeg: the job's row names the build that rendered it.
    const db = new DatabaseSync(server.layout.database);
    db.prepare('UPDATE jobs SET ffmpeg = ? WHERE id = ?').run('4.4.2-0+deb11u1', job.id);
    db.close();
    const res = await server.api(`/api/jobs/${job.id}/download`);
    const zipFile = path.join(server.scratch, 'older-build.zip');
    writeFileSync(zipFile, Buffer.from(await res.arrayBuffer()));
    const manifest = JSON.parse(
      execFileSync('unzip', ['-p', zipFile, 'manifest.json'], { encoding: 'utf8' }),
    );
    expect(manifest.tool.ffmpeg).toBe('4.4.2-0+deb11u1');
    expect(manifest.notes).toEqual([
      expect.stringMatching(/^Rendered with FFmpeg 4\.4\.2-0\+deb11u1; this server now runs 5\./),
    ]);
    const db2 = new DatabaseSync(server.layout.database);
    db2.prepare('UPDATE jobs SET ffmpeg = NULL WHERE id = ?').run(job.id);
    db2.close();
  });

  it('downloads just the chosen variations, or the folder of one source', async () => {
    const zipListing = async (query: string) => {
      const res = await server.api(`/api/jobs/${job.id}/download?${query}`);
      expect(res.status, query).toBe(200);
      const zipFile = path.join(server.scratch, 'chosen.zip');
      writeFileSync(zipFile, Buffer.from(await res.arrayBuffer()));
      const manifest = JSON.parse(
        execFileSync('unzip', ['-p', zipFile, 'manifest.json'], { encoding: 'utf8' }),
      );
      const files = execFileSync('zipinfo', ['-1', zipFile], { encoding: 'utf8' }).trim().split('\n').sort();
      return {
        files,
        manifestFiles: (manifest.outputs as Array<{ file: string }>).map((o) => o.file).sort(),
      };
    };
    const [first, , third] = job.outputs;
    const picked = await zipListing(`outputs=${first?.id},${third?.id}`);
    expect(picked.files).toEqual([
      'Summer Sale/Summer Sale-v01.mp4',
      'Summer Sale/Summer Sale-v03.mp4',
      'manifest.json',
      'variations.csv',
    ]);
    expect(picked.manifestFiles).toEqual([
      'Summer Sale/Summer Sale-v01.mp4',
      'Summer Sale/Summer Sale-v03.mp4',
    ]);

    const folder = await zipListing(`source=${job.sources[1]?.id}`);
    expect(folder.files).toEqual([
      'manifest.json',
      'square ad/square ad-v01.mp4',
      'square ad/square ad-v02.mp4',
      'square ad/square ad-v03.mp4',
      'variations.csv',
    ]);

    for (const query of [
      'outputs=',
      `outputs=${first?.id},AAAAAAAAAAAAAAAAAAAAAAAA`,
      'source=AAAAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      const res = await server.api(`/api/jobs/${job.id}/download?${query}`);
      expect(res.status, query).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found' });
    }
  });

  it('downloads a ZIP of six playable videos and a manifest', async () => {
    const res = await server.api(`/api/jobs/${job.id}/download`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename=".+\.zip"; filename\*=UTF-8''.+\.zip$/,
    );
    const zipFile = path.join(server.scratch, 'batch.zip');
    writeFileSync(zipFile, Buffer.from(await res.arrayBuffer()));
    const listing = execFileSync('zipinfo', ['-1', zipFile], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listing).toEqual([
      'Summer Sale/Summer Sale-v01.mp4',
      'Summer Sale/Summer Sale-v02.mp4',
      'Summer Sale/Summer Sale-v03.mp4',
      'manifest.json',
      'square ad/square ad-v01.mp4',
      'square ad/square ad-v02.mp4',
      'square ad/square ad-v03.mp4',
      'variations.csv',
    ]);
    // Store mode: videos are not compressed again.
    expect(execFileSync('zipinfo', ['-v', zipFile], { encoding: 'utf8' })).not.toMatch(
      /compression method:\s+deflated/,
    );
    const out = path.join(server.scratch, 'unzipped');
    execFileSync('unzip', ['-q', zipFile, '-d', out]);
    for (const name of listing.filter((n) => n.endsWith('.mp4'))) {
      const video = probeVideo(path.join(out, name));
      expect(video.codec).toBe('h264');
      expect(video.duration).toBeGreaterThan(1);
    }
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      seed: 'http-test',
      intensity: 'medium',
      count: 3,
      tool: { name: 'vidvar' },
    });
    // The FFmpeg build that rendered, as `ffmpeg -version` names it: bytes are reproducible only with it.
    const installed = /^ffmpeg version (\S+)/.exec(
      execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }),
    )?.[1];
    expect(manifest.tool.ffmpeg).toBe(installed);
    expect(manifest.outputs).toHaveLength(6);
    for (const output of manifest.outputs) {
      expect(listing).toContain(output.file);
      expect(output.effects.length).toBeGreaterThan(0);
      expect(output.sizeBytes).toBe(statSync(path.join(out, output.file)).size);
      expect(output.width).toBeGreaterThan(0);
    }

    // variations.csv: a header, then one plain row per video of the ZIP, in the batch's order.
    const csv = readFileSync(path.join(out, 'variations.csv'), 'utf8');
    expect(csv.startsWith('\ufeff')).toBe(true);
    const [header, ...rows] = parseCsv(csv.slice(1));
    expect(header).toEqual([
      'file',
      'source',
      'what changed',
      'duration (s)',
      'size (MB)',
      'distinct from the original',
      'vPDQ bits from the original',
    ]);
    expect(rows.map((row) => row[0])).toEqual(manifest.outputs.map((o: { file: string }) => o.file));
    for (const row of rows) {
      const view = job.outputs.find((o) => row[0]?.endsWith(`/${o.file}`)) as JobView['outputs'][number];
      expect(row[1]).toBe(row[0]?.startsWith('Summer Sale/') ? 'Summer Sale.mp4' : 'square ad.mov');
      expect(row[2]).toBe(view.effects.map((e) => e.plain).join('; '));
      expect(Number(row[3])).toBeCloseTo(view.durationSec ?? 0, 1);
      expect(Number(row[4])).toBeCloseTo((view.size ?? 0) / 1_000_000, 2);
      const vsSource = view.distinctness?.vpdq.vsSource;
      if (vsSource?.measurable) {
        expect(row[5]).toBe(vsSource.match ? 'no: matches the original' : 'yes');
        expect(Number(row[6])).toBe(Math.round(vsSource.nearestBits ?? Number.NaN));
      } else {
        expect(row[5]).toMatch(/^not (measured|measurable)/);
      }
    }
  });

  it('serves a still of each original at its own shape, and refuses a source of another batch', async () => {
    for (const source of job.sources) {
      const res = await server.api(`/api/jobs/${job.id}/sources/${source.id}/thumbnail`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      const file = path.join(server.scratch, `${source.id}.jpg`);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const [width, height] = execFileSync(
        'ffprobe',
        ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file],
        { encoding: 'utf8' },
      )
        .trim()
        .split(',')
        .map(Number);
      expect((width ?? 0) / (height ?? 1)).toBeCloseTo(source.width / source.height, 1);
    }
    const unknown = await server.api(`/api/jobs/${job.id}/sources/AAAAAAAAAAAAAAAAAAAAAAAA/thumbnail`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      code: 'not_found',
      message: 'That video is not a source of this batch.',
    });
  });

  it('serves one output with Range, and its thumbnail', async () => {
    const output = job.outputs[0] as JobView['outputs'][number];
    const whole = await server.api(`/api/jobs/${job.id}/outputs/${output.id}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect((await whole.arrayBuffer()).byteLength).toBe(output.size);

    const part = await server.api(`/api/jobs/${job.id}/outputs/${output.id}`, {
      headers: { range: 'bytes=100-199' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${output.size}`);
    expect((await part.arrayBuffer()).byteLength).toBe(100);

    const beyond = await server.api(`/api/jobs/${job.id}/outputs/${output.id}`, {
      headers: { range: `bytes=${output.size}-` },
    });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${output.size}`);

    const thumb = await server.api(`/api/jobs/${job.id}/outputs/${output.id}/thumbnail`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const bytes = new Uint8Array(await thumb.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
  });

  it('closes every output file when a download is abandoned half-way', async () => {
    const controller = new AbortController();
    const res = await server.api(`/api/jobs/${job.id}/download`, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    const deadline = Date.now() + 5000;
    while (openFilesUnder(server.layout.outputs).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(openFilesUnder(server.layout.outputs)).toEqual([]);
    // The server still answers.
    expect((await server.api(`/api/jobs/${job.id}`)).status).toBe(200);
  });

  it('lists the batch, newest first', async () => {
    const list = (await (await server.api('/api/jobs')).json()) as { jobs: JobView[] };
    expect(list.jobs[0]?.id).toBe(job.id);
  });
});

describe('refused sources in a multipart batch', () => {
  it('names the bad file, refuses the batch and keeps nothing', async () => {
    const before = server.dataFiles();
    const text = path.join(server.scratch, 'notes.txt');
    writeFileSync(text, 'these are not the videos you are looking for\n'.repeat(50));
    const res = await createJobFromFiles(
      server,
      [
        { path: clip({ duration: 1 }), name: 'good.mp4' },
        { path: text, name: 'notes.mp4' },
      ],
      { count: '2', intensity: 'subtle' },
    );
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.message).toContain('notes.mp4');
    expect(JSON.stringify(body)).not.toContain(server.layout.root);
    expect(server.dataFiles()).toEqual(before);
    expect(readdirSync(server.layout.uploads).filter((f) => f !== 'tus')).toEqual([]);
  });
});
