import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { VIDVAR_BIN } from '../support/cli.js';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * The package as a script's project sees it: vidvar in its node_modules, imported by name. The client
 * is TypeScript source (there is no build step), so the script runs through tsx as the README says.
 */
const consumer = mkdtempSync(path.join(os.tmpdir(), 'vidvar-consumer-'));
mkdirSync(path.join(consumer, 'node_modules'));
symlinkSync(root, path.join(consumer, 'node_modules', 'vidvar'), 'dir');
afterAll(() => rmSync(consumer, { recursive: true, force: true }));
const tsx = import.meta.resolve('tsx');

async function runScript(source: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const file = path.join(consumer, 'script.mts');
  writeFileSync(file, source);
  return exec(process.execPath, ['--import', tsx, file], { cwd: consumer }).then(
    ({ stdout, stderr }) => ({ stdout, stderr, code: 0 }),
    (error: { stdout: string; stderr: string; code: number }) => error,
  );
}

describe('the package', () => {
  it('exports the typed client as vidvar/client', async () => {
    const run = await runScript(`import * as vidvar from 'vidvar/client';
const client = new vidvar.VidvarClient({ server: 'http://127.0.0.1:1', token: 'vv_x' });
console.log(JSON.stringify({ names: Object.keys(vidvar).sort(), ok: typeof client.createJob }));`);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      names: ['CLIENT_ROUTES', 'VidvarApiError', 'VidvarClient'],
      ok: 'function',
    });
  });

  it('keeps its files private: a path the exports do not list is refused by name', async () => {
    const run = await runScript(`await import('vidvar/src/server.ts');`);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  it('still runs the vidvar command', async () => {
    const { stdout } = await exec(process.execPath, [VIDVAR_BIN, '--version'], { cwd: consumer });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
