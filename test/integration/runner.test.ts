import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegError } from '../../src/media/ffmpeg/ffmpeg-error.js';
import { ffmpegArgv, RUNNER_FLAGS, runFfmpeg, runFfprobe } from '../../src/media/ffmpeg/runner.js';
import { engineOptions } from '../../src/media/options.js';
import { clip } from '../support/clips.js';
import { isRunning } from '../support/processes.js';

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'vidvar-runner-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const options = engineOptions({ stallTimeoutMs: 30_000 });

function testSource(seconds: number, size = '160x120'): string[] {
  return ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30:duration=${seconds}`];
}

/** Processes whose command line contains this word (the runner does not expose its children). */
function pidsWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (
        readFileSync(`/proc/${entry}/cmdline`, 'utf8')
          .split('\0')
          .some((arg) => arg.includes(marker))
      ) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

async function until<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('runFfmpeg', () => {
  it('puts its fixed flags first and the caller’s arguments after them', () => {
    expect(ffmpegArgv(['-i', 'x'])).toEqual([...RUNNER_FLAGS, '-i', 'x']);
    expect(RUNNER_FLAGS).toEqual(expect.arrayContaining(['-nostdin', '-progress', 'pipe:1']));
  });

  it('reports progress from 0 to 1 and what was written', async () => {
    const fractions: number[] = [];
    const out = path.join(scratch, 'ok.mkv');
    const result = await runFfmpeg({
      args: [...testSource(2), '-c:v', 'mpeg4', '-y', out],
      durationSec: 2,
      options,
      onProgress: (fraction) => fractions.push(fraction),
    });
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.every((f) => f >= 0 && f <= 1)).toBe(true);
    expect(result.frames).toBe(60);
    expect(result.outTimeSec).toBeGreaterThan(1.9);
    expect(statSync(out).size).toBeGreaterThan(0);
  });

  it('fails with FFmpeg’s own words when FFmpeg exits non-zero', async () => {
    const missing = path.join(scratch, 'does-not-exist.mp4');
    const error = await runFfmpeg({
      args: ['-i', missing, '-f', 'null', '-'],
      durationSec: 1,
      options,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).code).toBe('ffmpeg_failed');
    expect((error as FfmpegError).exitCode).not.toBe(0);
    expect((error as FfmpegError).stderrTail).toContain('No such file or directory');
  });

  it('drains stderr: a run printing hundreds of kilobytes of log completes, keeping only a tail', async () => {
    const noisy = [
      '-loglevel',
      'debug',
      '-debug_ts',
      ...testSource(10, '64x64'),
      '-vf',
      'showinfo',
      '-f',
      'null',
      '-',
    ];
    const printed = spawnSync('ffmpeg', ['-nostdin', ...noisy], { maxBuffer: 64 * 1024 * 1024 }).stderr
      .length;
    expect(printed).toBeGreaterThan(256 * 1024); // far beyond a pipe's 64 KiB buffer
    const result = await runFfmpeg({ args: noisy, durationSec: 10, options });
    expect(result.frames).toBe(300);
    expect(result.stderrTail.length).toBeLessThanOrEqual(4096);
    expect(result.stderrTail.length).toBeGreaterThan(1000);
  });

  it('stops FFmpeg when aborted: rejects as aborted, the process is gone, the partial file is left to the caller', async () => {
    const dir = mkdtempSync(path.join(scratch, 'abort-'));
    const out = path.join(dir, 'partial.mkv');
    const controller = new AbortController();
    const run = runFfmpeg({
      // -re reads the source in real time: this run would take ten minutes.
      args: ['-re', ...testSource(600), '-c:v', 'mpeg4', '-y', out],
      durationSec: 600,
      options: engineOptions({ tmpDir: dir }),
      signal: controller.signal,
      onProgress: () => {},
    });
    const [pid] = await until(() => {
      const found = pidsWith(out);
      return found.length > 0 && existsSync(out) ? found : undefined;
    }, 'ffmpeg to start writing');
    // The child's environment points FFmpeg's temporary files at the caller's folder.
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(`TMPDIR=${dir}`);
    controller.abort();
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).code).toBe('ffmpeg_aborted');
    expect(isRunning(pid as number)).toBe(false);
    expect(existsSync(out)).toBe(true);
  });

  it('does not start at all when the signal is already aborted', async () => {
    const marker = path.join(scratch, 'never-started.mkv');
    const controller = new AbortController();
    controller.abort();
    const error = await runFfmpeg({
      args: [...testSource(1), '-y', marker],
      durationSec: 1,
      options,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect((error as FfmpegError).code).toBe('ffmpeg_aborted');
    expect(existsSync(marker)).toBe(false);
  });

  it('kills a run whose progress does not move (FFmpeg waiting forever on an empty FIFO)', async () => {
    const fifo = path.join(scratch, 'silent.fifo');
    execFileSync('mkfifo', [fifo]);
    const run = runFfmpeg({
      args: ['-f', 'h264', '-i', fifo, '-f', 'null', '-'],
      durationSec: 5,
      options: engineOptions({ stallTimeoutMs: 500 }),
    });
    const [pid] = await until(() => {
      const found = pidsWith(fifo);
      return found.length > 0 ? found : undefined;
    }, 'ffmpeg to start');
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).code).toBe('ffmpeg_stalled');
    expect(isRunning(pid as number)).toBe(false);
  });

  it('keeps a slow but moving run alive past the stall timeout', async () => {
    const result = await runFfmpeg({
      args: ['-re', ...testSource(3), '-f', 'null', '-'],
      durationSec: 3,
      options: engineOptions({ stallTimeoutMs: 1500 }),
    });
    expect(result.frames).toBe(90);
  });

  it('keeps a run that works silently (one output has no frame until the end) past the stall timeout', async () => {
    // FFmpeg reports progress only once every output has had a frame: here, the last tenth of a second.
    const result = await runFfmpeg({
      args: [
        ...testSource(60, '1280x720'),
        ...['-filter_complex', 'split[a][b];[b]trim=start=59.9[c]'],
        ...['-map', '[a]', '-f', 'null', '-', '-map', '[c]', '-f', 'null', '-'],
      ],
      durationSec: 60,
      // Not niced, so that a busy machine cannot starve it below the share that counts as working.
      options: engineOptions({ stallTimeoutMs: 400, processLimits: null }),
    });
    expect(result.frames).toBe(1800);
  });

  it('rejects clearly when the FFmpeg program does not exist', async () => {
    const error = await runFfmpeg({
      args: ['-version'],
      durationSec: 0,
      options: engineOptions({ ffmpegPath: path.join(scratch, 'no-ffmpeg-here') }),
    }).catch((e: unknown) => e);
    expect((error as FfmpegError).code).toBe('ffmpeg_failed');
    expect((error as FfmpegError).message).toMatch(/could not start .*ENOENT/);
  });
});

describe('runFfprobe', () => {
  it('returns what ffprobe printed', async () => {
    const json = await runFfprobe(['-v', 'error', '-show_streams', '-of', 'json', clip()], options);
    const streams = (JSON.parse(json) as { streams: Array<{ codec_type: string }> }).streams;
    expect(streams.map((s) => s.codec_type)).toEqual(['video', 'audio']);
  });

  it('fails with ffprobe’s words for a file it cannot read', async () => {
    const error = await runFfprobe(['-v', 'error', path.join(scratch, 'missing.mp4')], options).catch(
      (e: unknown) => e,
    );
    expect((error as FfmpegError).code).toBe('ffmpeg_failed');
    expect((error as FfmpegError).stderrTail).toContain('No such file or directory');
  });

  it('gives up on an ffprobe that hangs', async () => {
    const fifo = path.join(scratch, 'probe.fifo');
    execFileSync('mkfifo', [fifo]);
    const error = await runFfprobe(['-v', 'error', fifo], engineOptions({ stallTimeoutMs: 500 })).catch(
      (e: unknown) => e,
    );
    expect((error as FfmpegError).code).toBe('ffmpeg_stalled');
    expect(pidsWith(fifo).filter(isRunning)).toEqual([]);
  });
});
