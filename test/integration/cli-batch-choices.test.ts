import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVidvar } from '../support/cli.js';
import { clip } from '../support/clips.js';

/** `vidvar make --name --exclude --no-protect-text`: the same choices as the API, checked the same way. */
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vidvar-cli-choices-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const vidvar = (...args: string[]) => runVidvar(args);

const video = clip({ width: 160, height: 284, duration: 1 });

describe('vidvar make with effect choices', () => {
  it('records the name and exclusions in the manifest and uses no excluded effect', async () => {
    const out = path.join(tmp, 'named');
    const r = await vidvar(
      'make',
      video,
      '-n',
      '3',
      '--out',
      out,
      '--name',
      'Spring launch',
      '--exclude',
      'pitch,colour',
      '-s',
      'cli',
    );
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'Spring launch',
      exclude: ['colour', 'pitch'],
      protectText: true,
    });
    const used = manifest.outputs.flatMap((o: { effects: Array<{ id: string }> }) =>
      o.effects.map((e) => e.id),
    );
    expect(
      used.filter((id: string) =>
        [
          'pitch',
          'mirror',
          'hue',
          'gamma',
          'brightness',
          'contrast',
          'saturation',
          'temperature',
          'curves',
        ].includes(id),
      ),
    ).toEqual([]);
  });

  it('mirrors only with --no-protect-text (30 planned commands each way)', async () => {
    const base = ['make', video, '-n', '30', '-i', 'strong', '-s', 'mirror-check', '--print-commands'];
    const protectedRun = await vidvar(...base, '--out', path.join(tmp, 'p'));
    const open = await vidvar(...base, '--out', path.join(tmp, 'o'), '--no-protect-text');
    expect(protectedRun.code, protectedRun.stderr).toBe(0);
    expect(protectedRun.stdout).not.toContain('hflip');
    expect(open.stdout).toContain('hflip');
  });

  it.each([
    [
      ['--exclude', 'mirror,sparkle'],
      /--exclude: unknown effect or family "sparkle"; choose from framing, zoom, tilt/,
    ],
    [['--exclude', 'framing,colour,texture'], /keep at least one framing, colour or texture effect/],
    [['--name', 'a\u0007b'], /--name must not contain control characters/],
    [['--name', 'x'.repeat(81)], /--name must be at most 80 characters/],
  ])('exits 2 on %j, says why and writes nothing', async (extra, message) => {
    const out = path.join(tmp, `bad-${extra.join('').length}`);
    const r = await vidvar('make', video, '-n', '1', '--out', out, ...extra);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });
});
