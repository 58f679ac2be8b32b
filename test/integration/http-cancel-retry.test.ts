import { readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { sourcePath } from '../../src/storage/layout.js';
import { clip } from '../support/clips.js';
import { createJobFromFiles, waitForJob } from '../support/http-client.js';
import { ffmpegChildren } from '../support/processes.js';
import { signedInServerForFile } from '../support/server.js';

const server = await signedInServerForFile();

describe('cancel and retry', () => {
  it('cancel mid-job stops FFmpeg and deletes the batch and its files', async () => {
    const long = clip({ duration: 8, width: 480, height: 854 });
    const res = await createJobFromFiles(server, [{ path: long, name: 'long.mp4' }], {
      count: '4',
      intensity: 'strong',
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    await waitForJob(
      server,
      created.id,
      (j) => j.status === 'running' && j.outputs.some((o) => o.progress > 0),
    );
    expect(ffmpegChildren().length).toBeGreaterThan(0);

    const cancel = await server.api(`/api/jobs/${created.id}`, { method: 'DELETE' });
    expect(cancel.status).toBe(204);
    expect(ffmpegChildren()).toEqual([]);
    expect((await server.api(`/api/jobs/${created.id}`)).status).toBe(404);
    const leftovers = server.dataFiles().filter((f) => f.includes(created.id) || f.startsWith('work'));
    expect(leftovers).toEqual([]);
    expect(server.dataFiles().some((f) => f.includes(created.sources[0]?.id as string))).toBe(false);
  });

  it('stop ends the encodes and keeps the finished variations downloadable', async () => {
    const res = await createJobFromFiles(
      server,
      [
        { path: clip({ duration: 1 }), name: 'quick.mp4' },
        { path: clip({ duration: 8, width: 480, height: 854 }), name: 'slow.mp4' },
      ],
      { count: '2', intensity: 'strong' },
    );
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    await waitForJob(
      server,
      created.id,
      (j) => j.outputs.some((o) => o.status === 'done') && j.outputs.some((o) => o.status !== 'done'),
    );

    const stop = await server.api(`/api/jobs/${created.id}/stop`, { method: 'POST' });
    expect(stop.status).toBe(200);
    const stopped = (await stop.json()) as JobView;
    expect(stopped.status).toBe('canceled');
    expect(ffmpegChildren()).toEqual([]);
    const done = stopped.outputs.filter((o) => o.status === 'done');
    expect(done.length).toBeGreaterThan(0);
    expect(stopped.outputs.filter((o) => o.status !== 'done').every((o) => o.status === 'canceled')).toBe(
      true,
    );
    for (const output of done) {
      expect((await server.api(`/api/jobs/${created.id}/outputs/${output.id}`)).status).toBe(200);
    }
    const zip = await server.api(`/api/jobs/${created.id}/download`);
    expect(zip.status).toBe(200);
    await zip.arrayBuffer();
    // Nothing half-rendered stays behind; stopping again changes nothing.
    expect(server.dataFiles().filter((f) => f.startsWith('work'))).toEqual([]);
    const again = (await (
      await server.api(`/api/jobs/${created.id}/stop`, { method: 'POST' })
    ).json()) as JobView;
    expect(again.outputs.filter((o) => o.status === 'done')).toHaveLength(done.length);
    expect((await server.api('/api/jobs/AAAAAAAAAAAAAAAAAAAAAAAA/stop', { method: 'POST' })).status).toBe(
      404,
    );
  });

  it('retry renders again only the outputs that failed', async () => {
    await server.worker.stop({ graceMs: 0 });
    const res = await createJobFromFiles(
      server,
      [
        { path: clip({ duration: 1 }), name: 'kept.mp4' },
        { path: clip({ duration: 1, width: 320, height: 320 }), name: 'lost.mp4' },
      ],
      { count: '2', intensity: 'subtle' },
    );
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    // The second source vanishes before the worker gets to it: its outputs fail.
    const lost = sourcePath(server.layout, created.sources[1]?.id as string);
    const hidden = path.join(server.scratch, 'lost.src');
    renameSync(lost, hidden);
    server.worker.start();
    const failed = await waitForJob(server, created.id);
    expect(failed.status).toBe('failed');
    expect(failed.outputs.map((o) => o.status)).toEqual(['done', 'done', 'failed', 'failed']);
    // Said twice: the technical line, and what it means for the person who made the batch.
    expect(failed.outputs[2]).toMatchObject({
      error: 'The source video is no longer on the server.',
      errorPlain: expect.stringMatching(/^The original video has expired from the server.*Upload it again/),
    });
    const keptIds = failed.outputs.slice(0, 2).map((o) => o.id);
    const keptFiles = keptIds.map((id) =>
      readFileSync(path.join(server.layout.outputs, created.id, `${id}.mp4`)),
    );

    renameSync(hidden, lost);
    const retry = await server.api(`/api/jobs/${created.id}/retry`, { method: 'POST' });
    expect(retry.status).toBe(200);
    expect(((await retry.json()) as JobView).status).toBe('queued');
    const done = await waitForJob(server, created.id);
    expect(done.status).toBe('done');
    expect(done.outputs.every((o) => o.status === 'done')).toBe(true);
    const attempts = (await server.store.getJob(created.id))?.outputs.map((o) => o.attempts);
    expect(attempts?.slice(0, 2)).toEqual([1, 1]);
    keptIds.forEach((id, i) => {
      expect(
        readFileSync(path.join(server.layout.outputs, created.id, `${id}.mp4`)).equals(
          keptFiles[i] as Buffer,
        ),
      ).toBe(true);
    });

    const again = await server.api(`/api/jobs/${created.id}/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
  });
});
