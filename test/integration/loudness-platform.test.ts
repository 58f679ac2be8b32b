/**
 * Loudness and platform checks, end to end through `vidvar make`: every output lands within ±1 LU of
 * the target with true peak ≤ −1 dBTP, and a limit the source cannot meet is reported with its figure.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegFile, QUICK_H264 } from '../support/clips.js';

const exec = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'vidvar.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vidvar-loudness-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * A quiet, wavering tone with sharp clicks every half second: bringing it to −14 LUFS needs ~+10 dB,
 * which would push the clicks far over full scale without the limiter.
 */
const quietWithClicks = () =>
  ffmpegFile('quiet-clicks-3s-v2.mp4', [
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x568:rate=30:duration=3'],
    ...[
      '-f',
      'lavfi',
      '-i',
      "aevalsrc='0.08*sin(2*PI*330*t)*(1+0.5*sin(2*PI*3*t))+if(lt(mod(t,0.5),0.0004),0.5,0)':s=48000:d=3",
    ],
    ...QUICK_H264,
    ...['-c:a', 'aac', '-ac', '2', '-shortest'],
  ]);

/** ebur128's own summary of a file: integrated loudness and true peak. */
async function r128(file: string): Promise<{ lufs: number; truePeak: number }> {
  const { stderr } = await exec('ffmpeg', [
    '-nostdin',
    '-hide_banner',
    '-i',
    file,
    '-vn',
    '-af',
    'ebur128=peak=true',
    '-f',
    'null',
    '-',
  ]);
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  return {
    lufs: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]),
    truePeak: Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)?.[1]),
  };
}

describe('loudness and platform checks', () => {
  it("brings every output to -14 LUFS, true peak at most -1 dBTP, and reports TikTok's 5 s minimum", async () => {
    const source = quietWithClicks();
    const before = await r128(source);
    expect(before.lufs, 'the source starts far from the target').toBeLessThan(-20);
    const out = path.join(tmp, 'tiktok');
    const run = await exec('node', [
      bin,
      'make',
      source,
      '--count',
      '3',
      '--seed',
      'loud',
      '--out',
      out,
      '--platform',
      'tiktok',
    ]);
    // Warned before rendering, naming the limit and its figure.
    expect(run.stderr).toMatch(
      /warning quiet-clicks-3s-v2\.mp4: This video is 3 s long; TikTok takes at least 5 s \(limit: duration 5 to 60 s\)/,
    );
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.outputs).toHaveLength(3);
    for (const output of manifest.outputs) {
      expect(output.format).toBe('9x16');
      expect(output.platform).toBe('tiktok');
      expect(output.loudnessTarget).toBe(-14);
      const measured = await r128(path.join(out, output.file));
      expect(Math.abs(measured.lufs + 14), `${output.file}: ${measured.lufs} LUFS`).toBeLessThanOrEqual(1);
      expect(measured.truePeak, `${output.file}: true peak`).toBeLessThanOrEqual(-1);
      // The manifest records what was measured, and the checks hold it to the platform's figures.
      expect(Math.abs(output.loudness.integratedLufs - measured.lufs)).toBeLessThan(0.5);
      const check = (name: string) => output.checks.find((c: { check: string }) => c.check === name);
      expect(check('loudness')).toMatchObject({ ok: true, unit: 'LUFS', limit: '-14 ± 1 LUFS' });
      expect(check('true-peak')).toMatchObject({ ok: true, limit: 'at most -1 dBTP' });
      expect(check('duration')).toMatchObject({ ok: false, unit: 's', limit: '5 to 60 s' });
      expect(check('duration').value).toBeLessThan(5);
      expect(check('resolution')).toMatchObject({ ok: true, value: 1080, limit: 'at least 540 px' });
      expect(check('aspect-ratio')).toMatchObject({ ok: true, value: '1080:1920' });
    }
  });

  it('--loudness off keeps the level the effects give', async () => {
    const source = quietWithClicks();
    const out = path.join(tmp, 'off');
    await exec('node', [
      bin,
      'make',
      source,
      '--count',
      '1',
      '--seed',
      'loud',
      '--out',
      out,
      '--platform',
      'tiktok',
      '--loudness',
      'off',
    ]);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const [output] = manifest.outputs;
    expect(output.loudnessTarget).toBeNull();
    expect((await r128(path.join(out, output.file))).lufs).toBeLessThan(-18);
  });
});
