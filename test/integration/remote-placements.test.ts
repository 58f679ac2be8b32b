/** `vidvar remote make --formats …`: placements rendered by a server, written where `vidvar make` writes them. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVidvar } from '../support/cli.js';
import { clip } from '../support/clips.js';
import { createApiToken } from '../support/http-client.js';
import { signedInServerForFile } from '../support/server.js';

const server = await signedInServerForFile();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vidvar-remote-placements-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// No token from the environment: each test gives its own.
const vidvar = (...args: string[]) => runVidvar(args, { env: { ...process.env, VIDVAR_TOKEN: '' } });

const { token } = await createApiToken(server, 'remote placements');

describe('vidvar remote make with placements', () => {
  it('writes every placement into its source folder, with the placement in the manifest', async () => {
    const out = path.join(tmp, 'out');
    const file = clip({ width: 480, height: 270, duration: 1 });
    const run = await vidvar(
      ...['remote', 'make', file, '--server', server.url, '--token', token, '-n', '1', '-s', 'rp', '-o', out],
      ...['--formats', '9x16,1x1', '--fit', 'pad'],
    );
    expect(run.code, run.stderr).toBe(0);
    const stem = path.basename(file, '.mp4');
    expect(readdirSync(path.join(out, stem)).sort()).toEqual([`${stem}-v01-1x1.mp4`, `${stem}-v01-9x16.mp4`]);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.outputs.map((o: { format: string; fit: string }) => [o.format, o.fit])).toEqual([
      ['9x16', 'pad'],
      ['1x1', 'pad'],
    ]);
  });

  it('exits 2 on an unknown fit before anything is uploaded', async () => {
    const out = path.join(tmp, 'bad');
    const run = await vidvar(
      ...[
        'remote',
        'make',
        clip({ duration: 1 }),
        '--server',
        server.url,
        '--token',
        token,
        '-n',
        '1',
        '-o',
        out,
      ],
      ...['--fit', 'squash'],
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown fit "squash": use one of crop, blur, pad/);
    expect(existsSync(out)).toBe(false);
    expect(await server.store.listUploads()).toEqual([]);
  });
});
