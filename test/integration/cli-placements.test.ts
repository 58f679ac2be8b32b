/** `vidvar make --formats/--fit/--pad-colour/--platform/--loudness`: placements from the command line. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runVidvar } from '../support/cli.js';
import { clip } from '../support/clips.js';

const exec = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vidvar-cli-placements-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const vidvar = (...args: string[]) => runVidvar(args);

async function sizeAndSar(file: string): Promise<string> {
  const { stdout } = await exec('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,sample_aspect_ratio'],
    ...['-of', 'csv=p=0', file],
  ]);
  return stdout.trim();
}

describe('vidvar make with placements', () => {
  const landscape = clip({ width: 480, height: 270, duration: 1.5 });
  const stem = path.basename(landscape, '.mp4');

  it('renders every variation in every placement, named by placement, recorded in the manifest', async () => {
    const out = path.join(tmp, 'all');
    const r = await vidvar(
      ...['make', landscape, '--count', '2', '--seed', 'p', '--out', out],
      ...['--formats', 'source,9x16,4x5,1x1,16x9', '--fit', 'pad', '--pad-colour', '#102030'],
    );
    expect(r.code, r.stderr).toBe(0);
    const names = readdirSync(path.join(out, stem)).sort();
    const expected = ['', '-16x9', '-1x1', '-4x5', '-9x16'].flatMap((s) => [
      `${stem}-v01${s}.mp4`,
      `${stem}-v02${s}.mp4`,
    ]);
    expect(names).toEqual(expected.sort());
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.outputs).toHaveLength(10);
    const sizes: Record<string, string> = {
      source: '480,270,1:1',
      '9x16': '1080,1920,1:1',
      '4x5': '1080,1350,1:1',
      '1x1': '1080,1080,1:1',
      '16x9': '1920,1080,1:1',
    };
    for (const output of manifest.outputs) {
      expect(output.fit).toBe('pad');
      expect(await sizeAndSar(path.join(out, output.file)), output.file).toBe(sizes[output.format]);
      expect(`${output.width},${output.height},1:1`).toBe(sizes[output.format]);
    }
    // One creative per variation: its placements share the plan.
    const v1 = manifest.outputs.filter((o: { index: number }) => o.index === 1);
    expect(new Set(v1.map((o: { signature: string }) => o.signature)).size).toBe(1);
  });

  it('refuses an unknown format, fit or platform and a pad colour that is not one, naming what is allowed', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--formats', '9x16,3x2'], /Unknown format "3x2": use any of source, 9x16, 4x5, 1x1, 16x9/],
      [['--fit', 'stretch'], /Unknown fit "stretch": use one of crop, blur, pad/],
      [
        ['--platform', 'myspace'],
        /Unknown platform "myspace": use one of meta, tiktok, youtube-shorts, youtube/,
      ],
      [['--fit', 'pad', '--pad-colour', 'red:x'], /"red:x" is not a colour: give #RRGGBB/],
      [['--loudness', 'loud'], /Loudness must be "off" or a level in LUFS from -40 to -5/],
    ];
    for (const [flags, message] of cases) {
      const out = path.join(tmp, `bad-${flags.join('')}`.replace(/[^\w-]/g, '_'));
      const r = await vidvar('make', landscape, '--count', '1', '--out', out, ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out), 'nothing written').toBe(false);
    }
  });
});
