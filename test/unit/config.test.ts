import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const exec = promisify(execFile);

describe('configuration from the environment', () => {
  it('runs on embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      DATA_DIR: './data',
      MAX_UPLOAD_BYTES: 500 * 1024 * 1024,
      JOB_TTL_HOURS: 24,
      SHUTDOWN_GRACE_SECONDS: 240,
      X264_PRESET: 'ultrafast',
      FFMPEG_PROCESSES: 0,
    });
    expect(config.APP_PASSWORD).toBeUndefined();
  });

  it('names every bad value, one line each', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', APP_PASSWORD: 'short', X264_PRESET: 'placebo', JOB_TTL_HOURS: '-1' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('PORT:'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('APP_PASSWORD:'))).toContain('at least 8 characters');
    expect(problems.find((p) => p.startsWith('X264_PRESET:'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('JOB_TTL_HOURS:'))).toBeDefined();
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ APP_PASSWORD: '', PORT: '' })).toMatchObject({ PORT: 3000, APP_PASSWORD: undefined });
  });

  it('uses the local folder unless S3_BUCKET is set, and then names each missing S3 key', () => {
    expect(loadConfig({}).S3_BUCKET).toBeUndefined();
    let error: unknown;
    try {
      loadConfig({ S3_BUCKET: 'ads' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'S3_ACCESS_KEY_ID: required when S3_BUCKET is set',
      'S3_SECRET_ACCESS_KEY: required when S3_BUCKET is set',
    ]);
    expect(() =>
      loadConfig({ S3_BUCKET: 'ads', S3_FORCE_PATH_STYLE: 'yes', S3_ENDPOINT: 'ftp://x' }),
    ).toThrow(/S3_FORCE_PATH_STYLE[\s\S]*S3_ENDPOINT|S3_ENDPOINT[\s\S]*S3_FORCE_PATH_STYLE/);
    const s3 = loadConfig({
      S3_BUCKET: 'ads',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(s3).toMatchObject({ S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: true });
  });

  it('stops the server at start-up with the message and exit code 1: bad value, unwritable data folder', async () => {
    const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'vidvar.js');
    const outcome = await exec('node', [bin, 'serve'], { env: { ...process.env, PORT: 'eighty' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('Invalid configuration');
    expect(outcome.stderr).toContain('PORT');

    // A file where the data folder should be: even root cannot create a folder inside it.
    const blocker = path.join(mkdtempSync(path.join(os.tmpdir(), 'vidvar-config-')), 'not-a-folder');
    writeFileSync(blocker, '');
    const unwritable = await exec('node', [bin, 'serve'], {
      env: { ...process.env, DATA_DIR: path.join(blocker, 'data') },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toContain('is not writable');
  });
});
