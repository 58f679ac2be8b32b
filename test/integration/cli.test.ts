import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Distinctness } from '../../src/media/index.js';
import { clip } from '../support/clips.js';

const exec = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'vidvar.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vidvar-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(cwd: string | undefined, args: string[]) {
  try {
    const r = await exec('node', [bin, ...args], { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `vidvar …` from this folder, or (`vidvar.in`) from another one. */
const vidvar = Object.assign((...args: string[]) => run(undefined, args), {
  in: (cwd: string, ...args: string[]) => run(cwd, args),
});

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function probe(file: string) {
  const r = await exec('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_name,width,height,pix_fmt',
    '-of',
    'json',
    file,
  ]);
  return JSON.parse(r.stdout).streams as Array<{
    codec_name: string;
    width?: number;
    height?: number;
    pix_fmt?: string;
  }>;
}

describe('vidvar make', () => {
  const portrait = clip({ width: 320, height: 568, duration: 2 });
  const landscape = clip({ width: 480, height: 270, duration: 2, audio: 'none' });

  it('writes N valid variations per input and a manifest describing each', async () => {
    const out = path.join(tmp, 'basic');
    const r = await vidvar('make', portrait, landscape, '--count', '3', '--seed', 'abc', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.seed).toBe('abc');
    expect(manifest.outputs).toHaveLength(6);
    const stem = path.basename(portrait, '.mp4');
    expect(readdirSync(path.join(out, stem)).sort()).toEqual([
      `${stem}-v01.mp4`,
      `${stem}-v02.mp4`,
      `${stem}-v03.mp4`,
    ]);
    for (const output of manifest.outputs) {
      expect(output.effects.length).toBeGreaterThan(0);
      expect(output.distinctness.pixel.vsSource).toBeGreaterThan(0);
      expect(output.distinctness.vpdq.vsSource.match).toBe(false);
      const streams = await probe(path.join(out, output.file));
      expect(streams.find((s) => s.codec_name === 'h264')?.pix_fmt).toBe('yuv420p');
    }
    const landscapeOut = manifest.outputs.find(
      (o: { source: string }) => o.source === path.basename(landscape),
    );
    const streams = await probe(path.join(out, landscapeOut.file));
    expect(streams.map((s) => s.codec_name)).toEqual(['h264']);
    expect(existsSync(path.join(out, '.vidvar-work'))).toBe(false);
  });

  it('makes even subtle siblings measurably different from each other and from the source', async () => {
    const out = path.join(tmp, 'subtle');
    const r = await vidvar('make', portrait, '-n', '8', '-i', 'subtle', '-s', 'alike', '-o', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(r.stdout);
    const [first, ...rest] = manifest.outputs as Array<{ distinctness: Distinctness }>;
    expect(first?.distinctness.pixel.vsSource).toBeGreaterThan(2);
    for (const output of rest) {
      // Mean grey-level difference of sampled frames (0-255): below 2 a viewer would call them the same.
      expect(output.distinctness.pixel.vsSource).toBeGreaterThan(2);
      expect(output.distinctness.pixel.nearestSibling).toBeGreaterThan(2);
      // And none is a copy of its source or of a sibling to vPDQ.
      expect(output.distinctness.vpdq.vsSource?.match).toBe(false);
      expect(output.distinctness.vpdq.vsNearestSibling?.match).toBe(false);
    }
  });

  it('renders byte-identical outputs from the same seed, and prints a script that runs as printed', async () => {
    const a = path.join(tmp, 'same-a');
    const b = path.join(tmp, 'same-b');
    expect((await vidvar('make', portrait, '-n', '2', '-s', 'repeat', '-o', a)).code).toBe(0);
    expect((await vidvar('make', portrait, '-n', '2', '-s', 'repeat', '-o', b)).code).toBe(0);
    const stem = path.basename(portrait, '.mp4');
    for (const file of [`${stem}-v01.mp4`, `${stem}-v02.mp4`]) {
      expect(sha(path.join(a, stem, file))).toBe(sha(path.join(b, stem, file)));
    }

    // Printed in an empty folder, and run there by bash as printed: it makes its folders, writes the
    // final names, says nothing, leaves no scratch files, and gives the normal run's bytes.
    const empty = mkdtempSync(path.join(tmp, 'printed-'));
    const printed = await vidvar.in(
      empty,
      'make',
      portrait,
      '-n',
      '2',
      '-s',
      'repeat',
      '-o',
      'out',
      '--print-commands',
    );
    expect(printed.code, printed.stderr).toBe(0);
    expect(readdirSync(empty)).toEqual([]);
    const lines = printed.stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('ffmpeg ')).length).toBeGreaterThan(0);
    expect(printed.stdout).not.toContain('-progress');
    const ran = await exec('bash', ['-c', printed.stdout], { cwd: empty });
    expect(ran.stdout + ran.stderr).toBe('');
    expect(readdirSync(empty)).toEqual(['out']);
    expect(readdirSync(path.join(empty, 'out'))).toEqual([stem]);
    const files = [`${stem}-v01.mp4`, `${stem}-v02.mp4`];
    expect(readdirSync(path.join(empty, 'out', stem)).sort()).toEqual(files);
    expect(files.map((f) => sha(path.join(empty, 'out', stem, f)))).toEqual(
      files.map((f) => sha(path.join(a, stem, f))),
    );
  });

  it('processes good inputs, refuses bad ones with one line each, and exits 1', async () => {
    const text = path.join(tmp, 'notes.txt');
    writeFileSync(text, 'this is not a video\n');
    const out = path.join(tmp, 'mixed');
    const r = await vidvar('make', text, portrait, '-n', '1', '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused notes\.txt: .*notes\.txt/);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.outputs).toHaveLength(1);
    expect(existsSync(path.join(out, 'notes'))).toBe(false);
  });

  it('explains bad usage with exit code 2', async () => {
    const r = await vidvar('make', portrait, '--count', 'many', '--out', path.join(tmp, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--count must be a whole number');
    const v = await vidvar('--version');
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
