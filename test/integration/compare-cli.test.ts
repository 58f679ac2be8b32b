import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVidvar } from '../support/cli.js';
import { cachedFile, clip, ffmpegFile, QUICK_H264 } from '../support/clips.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vidvar-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const vidvar = (...args: string[]) => runVidvar(args);

// 2 s at 30 fps: 60 frames a side is plenty for a share, and keeps the file fast on a busy machine.
const source = clip();
const encode = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'copy'];
// Cached by name: the source's name (a hash of its spec) is in it, so a new source makes new copies.
const stem = path.basename(source, '.mp4');
const reencoded = ffmpegFile(`${stem}-reencoded.mp4`, ['-i', source, ...encode, '-crf', '30']);
const brighter = ffmpegFile(`${stem}-brighter.mp4`, ['-i', source, '-vf', 'eq=brightness=0.1', ...encode]);

// Concurrent: most of each test's time is Node and FFmpeg starting up, which overlaps well.
describe.concurrent('vidvar compare', () => {
  it('calls a plain re-encode the same video: exit 1, one sentence', async () => {
    const r = await vidvar('compare', source, reencoded);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /^Match: Meta's open video matcher \(vPDQ\) would treat these as the same video — 100 % of the frames of clip-\w+-reencoded\.mp4 match clip-\w+\.mp4 \(a match needs 80 %\); median \d+ of 256 bits apart\.\n$/,
    );
  });

  it('calls a 10 % brighter copy the same video, and says so in JSON', async () => {
    const r = await vidvar('compare', source, brighter, '--json');
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ match: true, verdict: 'match', queryFrames: 60, comparedFrames: 60 });
    expect(result.comparedMatchedPercent).toBeGreaterThanOrEqual(80);
    expect(typeof result.queryMatchedPercent).toBe('number');
    expect(result.nearestBits).toBeLessThanOrEqual(31);
  });

  it('calls each subtle variation made by vidvar make distinct from its source: exit 0', async () => {
    const out = path.join(tmp, 'subtle');
    const made = await vidvar(
      'make',
      source,
      '--count',
      '3',
      '--intensity',
      'subtle',
      '--seed',
      'cmp',
      '--out',
      out,
    );
    expect(made.code, made.stderr).toBe(0);
    const folder = path.join(out, path.basename(source, '.mp4'));
    const variations = readdirSync(folder).filter((f) => f.endsWith('.mp4'));
    expect(variations).toHaveLength(3);
    const runs = await Promise.all(
      variations.map((f) => vidvar('compare', source, path.join(folder, f), '--json')),
    );
    for (const [i, r] of runs.entries()) {
      const result = JSON.parse(r.stdout);
      // The figures are in the message, to report if a variation ever reads as a copy.
      expect(r.code, `${variations[i]}: ${r.stdout}`).toBe(0);
      expect(result).toMatchObject({ match: false, verdict: 'distinct' });
      expect(result.comparedMatchedPercent).toBeLessThan(80);
    }
  });

  it('compares the pictures upright: a rotation tag matches the same turn made in the pixels', async () => {
    const plain = clip({ audio: 'none' });
    // The tag FFmpeg writes for rotate=90 shows the picture turned a quarter counter-clockwise.
    const tagged = clip({ audio: 'none', rotate: 90 });
    const turned = ffmpegFile(`${path.basename(plain, '.mp4')}-turned-cclock.mp4`, [
      '-i',
      plain,
      '-vf',
      'transpose=cclock',
      ...QUICK_H264,
    ]);
    const r = await vidvar('compare', turned, tagged, '--json');
    expect(r.code, r.stdout).toBe(1);
    expect(JSON.parse(r.stdout).comparedMatchedPercent).toBe(100);
  });

  it('says "not measurable" for blank videos, with its own exit code 3', async () => {
    const black = ffmpegFile('compare-black.mp4', [
      '-f',
      'lavfi',
      '-i',
      'color=black:size=320x568:rate=30:duration=1',
      ...QUICK_H264,
    ]);
    const [r, json] = await Promise.all([
      vidvar('compare', black, source),
      vidvar('compare', source, black, '--json'),
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(
      /^Not measurable by vPDQ: too few frames with enough detail \(compare-black\.mp4: 0 of 30, /,
    );
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      match: false,
      verdict: 'not_measurable',
      nearestBits: null,
    });
  });

  it.each([
    ['a text file', 'notes.txt', 'Buy now!\nSpring offer.\n', 'notes.txt is not a video file we can read.'],
    [
      'a playlist',
      'list.m3u8',
      '#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n',
      'list.m3u8 is a playlist or a list of links, not a video; please upload the video file itself.',
    ],
  ])(
    'refuses %s as uploads are refused: exit 2, one line, nothing on stdout',
    async (_kind, name, text, message) => {
      const file = cachedFile(name, () => text);
      const runs = await Promise.all([
        vidvar('compare', file, source),
        vidvar('compare', source, file, '--json'),
      ]);
      for (const r of runs) expect(r).toEqual({ code: 2, stdout: '', stderr: `vidvar: ${message}\n` });
    },
  );

  it('names a missing file or a folder: exit 2, one line', async () => {
    const [missing, folder, usage] = await Promise.all([
      vidvar('compare', source, path.join(tmp, 'gone.mp4')),
      vidvar('compare', tmp, source),
      vidvar('compare', source),
    ]);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'vidvar: gone.mp4 does not exist.\n' });
    expect(folder).toEqual({ code: 2, stdout: '', stderr: `vidvar: ${path.basename(tmp)} is not a file.\n` });
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe('');
  });
});
