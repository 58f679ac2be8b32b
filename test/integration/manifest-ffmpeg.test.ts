import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engineOptions } from '../../src/media/options.js';
import { type BatchEvent, type BatchRequest, prepareBatch, runBatch } from '../../src/media/render/batch.js';
import { clip } from '../support/clips.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'vidvar-manifest-ffmpeg-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Renders one variation of a small clip into `outDir`, as `vidvar make` does. */
async function make(outDir: string, seed: string) {
  const events: BatchEvent[] = [];
  const req: BatchRequest = {
    inputs: [clip({ width: 160, height: 284, duration: 1 })],
    count: 1,
    intensity: 'subtle',
    seed,
    outDir,
    concurrency: 0,
    options: engineOptions({ maxLongSide: 160, preset: 'ultrafast' }),
    toolVersion: 'test',
    onEvent: (event) => events.push(event),
  };
  const result = await runBatch(req, await prepareBatch(req));
  const written = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
  return { result, written, changed: events.filter((e) => e.type === 'ffmpeg-changed') };
}

describe('manifests name the FFmpeg build', () => {
  it('records `ffmpeg -version`, and says so when the same plan is rendered again with another build', async () => {
    const installed = /^ffmpeg version (\S+)/.exec(
      execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }),
    )?.[1];
    expect(installed).toBeTruthy();
    const out = path.join(work, 'out');

    const first = await make(out, 'same-plan');
    expect(first.result.failed).toBe(0);
    expect(first.written.tool.ffmpeg).toBe(installed);
    expect(first.written.notes).toBeUndefined();
    expect(first.changed).toEqual([]);

    // The same plan again, as if the folder had been rendered by another FFmpeg build before.
    writeFileSync(
      path.join(out, 'manifest.json'),
      JSON.stringify({ ...first.written, tool: { ...first.written.tool, ffmpeg: '4.4.2-0+deb11u1' } }),
    );
    const again = await make(out, 'same-plan');
    expect(again.written.tool.ffmpeg).toBe(installed);
    expect(again.written.notes).toEqual([expect.stringContaining(`FFmpeg ${installed}`)]);
    expect(again.written.notes[0]).toContain('4.4.2-0+deb11u1');
    expect(again.changed).toEqual([{ type: 'ffmpeg-changed', note: again.written.notes[0] }]);

    // Another plan into the same folder is no re-render: nothing to say.
    const other = await make(out, 'another-plan');
    expect(other.written.notes).toBeUndefined();
    expect(other.changed).toEqual([]);
  });
});
