/** Placements through the API: JSON and multipart, one output row per placement, checks, warnings, bad input. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import { createJobFromFiles, tusUpload, waitForJob } from '../support/http-client.js';
import { signedInServerForFile } from '../support/server.js';

const server = await signedInServerForFile();
afterAll(() => server.close());

const landscape = () => clip({ width: 480, height: 270, duration: 1.5 });

async function uploadOne(name: string): Promise<string> {
  const { create, patch } = await tusUpload(server, readFileSync(landscape()), name);
  expect(create.status).toBe(201);
  expect(patch?.status).toBe(204);
  return (create.headers.get('location') as string).split('/').pop() as string;
}

function postJson(body: Record<string, unknown>) {
  return server.api('/api/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('placements through the API', () => {
  it('JSON: each variation in each placement, one output each, grouped by variation, with its checks', async () => {
    const upload = await uploadOne('Spring Sale.mp4');
    const res = await postJson({
      uploads: [upload],
      count: 2,
      intensity: 'subtle',
      seed: 'api-placements',
      platform: 'tiktok',
      formats: ['9x16', '1x1'],
      fit: 'blur',
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    expect(created.placement).toEqual({
      formats: ['9x16', '1x1'],
      fit: 'blur',
      padColour: '0x000000',
      platform: 'tiktok',
      loudness: -14,
    });
    // TikTok takes 5 to 60 s: the 1.5 s source is flagged before anything renders.
    expect(created.warnings?.[0]?.message).toMatch(
      /This video is 1.5 s long; TikTok takes at least 5 s \(limit: duration 5 to 60 s\)/,
    );
    expect(created.outputs.map((o) => [o.index, o.format, o.file])).toEqual([
      [1, '9x16', 'Spring Sale-v01-9x16.mp4'],
      [1, '1x1', 'Spring Sale-v01-1x1.mp4'],
      [2, '9x16', 'Spring Sale-v02-9x16.mp4'],
      [2, '1x1', 'Spring Sale-v02-1x1.mp4'],
    ]);
    const job = await waitForJob(server, created.id);
    expect(job.status, JSON.stringify(job.outputs.map((o) => o.error))).toBe('done');
    for (const output of job.outputs) {
      // The standard sizes (1080×1920, 1080×1080) under the test server's OUTPUT_MAX_SIDE of 640.
      expect([output.width, output.height]).toEqual(output.format === '9x16' ? [360, 640] : [640, 640]);
      expect(output.fit).toBe('blur');
      const duration = output.checks?.find((c) => c.check === 'duration');
      expect(duration).toMatchObject({ ok: false, unit: 's', limit: '5 to 60 s' });
      expect(output.checks?.find((c) => c.check === 'loudness')?.ok).toBe(true);
    }
    // Each placement has its own thumbnail, in its own shape.
    const thumb = await server.api(`/api/jobs/${job.id}/outputs/${job.outputs[0]?.id}/thumbnail`);
    expect(thumb.status).toBe(200);
    const jpeg = path.join(server.scratch, 'placement.jpg');
    writeFileSync(jpeg, Buffer.from(await thumb.arrayBuffer()));
    const size = execFileSync('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=width,height',
      '-of',
      'csv=p=0',
      jpeg,
    ]);
    expect(size.toString().trim()).toBe('360,640');
    // A variation's placements are one creative: same effects.
    expect(job.outputs[0]?.effects).toEqual(job.outputs[1]?.effects);
    // The ZIP keeps one folder per source, with every placement and its checks in the manifest.
    const zip = await server.api(`/api/jobs/${job.id}/download`);
    const zipFile = path.join(server.scratch, 'placements.zip');
    writeFileSync(zipFile, Buffer.from(await zip.arrayBuffer()));
    const listing = execFileSync('unzip', ['-Z1', zipFile], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listing).toEqual(
      ['manifest.json', 'variations.csv', ...job.outputs.map((o) => `Spring Sale/${o.file}`)].sort(),
    );
    const manifest = JSON.parse(
      execFileSync('unzip', ['-p', zipFile, 'manifest.json'], { encoding: 'utf8' }),
    );
    expect(manifest.outputs.map((o: { format: string }) => o.format)).toEqual(['9x16', '1x1', '9x16', '1x1']);
    expect(manifest.outputs[0].checks.length).toBeGreaterThan(4);
  });

  it('multipart: formats as a comma-separated field', async () => {
    const res = await createJobFromFiles(server, [{ path: landscape(), name: 'ad.mp4' }], {
      count: '1',
      intensity: 'subtle',
      formats: 'source,4x5',
      fit: 'pad',
      padColour: '#ffffff',
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    expect(created.outputs.map((o) => o.file)).toEqual(['ad-v01.mp4', 'ad-v01-4x5.mp4']);
    const job = await waitForJob(server, created.id);
    expect(job.status).toBe('done');
    expect(job.outputs.map((o) => [o.width, o.height])).toEqual([
      [480, 270],
      [512, 640],
    ]);
  });

  it('refuses an unknown format, fit or platform and a pad colour that is not one with 400, naming what is allowed', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ formats: ['9x16', '2x3'] }, 'bad_format', /use any of source, 9x16, 4x5, 1x1, 16x9/],
      [{ fit: 'zoom' }, 'bad_fit', /use one of crop, blur, pad/],
      [{ platform: 'vine' }, 'bad_platform', /use one of meta, tiktok, youtube-shorts, youtube/],
      [{ fit: 'pad', padColour: 'not-a-colour' }, 'bad_pad_colour', /is not a colour/],
      [{ loudness: 3 }, 'bad_loudness', /from -40 to -5/],
    ];
    const upload = await uploadOne('bad.mp4');
    const jobsBefore = (await server.store.listJobs()).length;
    for (const [fields, code, message] of cases) {
      const res = await postJson({ uploads: [upload], count: 1, intensity: 'subtle', ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      const body = await res.json();
      expect(body.code).toBe(code);
      expect(body.message).toMatch(message);
    }
    // Multipart: refused before its file is admitted, and its file is gone.
    const res = await createJobFromFiles(server, [{ path: landscape(), name: 'x.mp4' }], {
      count: '1',
      intensity: 'subtle',
      fit: 'stretch',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('bad_fit');
    expect((await server.store.listJobs()).length).toBe(jobsBefore);
    expect(server.dataFiles().filter((f) => f.startsWith('uploads/') && f.endsWith('.part'))).toEqual([]);
  });
});
