import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitMedia } from '../../src/media/admission/admission.js';
import { FfmpegError } from '../../src/media/ffmpeg/ffmpeg-error.js';
import {
  DEFAULT_PROCESS_LIMITS,
  limitedCommand,
  type ProcessLimits,
  wrapperAvailable,
} from '../../src/media/ffmpeg/process-limits.js';
import { ffmpegArgv, runFfmpeg } from '../../src/media/ffmpeg/runner.js';
import { engineOptions } from '../../src/media/options.js';
import { planJob } from '../../src/media/plan/planner.js';
import { renderVariations } from '../../src/media/render/render.js';
import type { RenderTarget } from '../../src/media/render/render-types.js';
import { clip } from '../support/clips.js';
import { ffmpegChildren, isRunning } from '../support/processes.js';

/**
 * Every FFmpeg process runs with a CPU-time budget, a memory cap, a lower priority and the kernel's
 * OOM killer pointed at it: one bad file cannot starve or kill the server. When FFmpeg dies of a limit
 * or crashes, that run fails cleanly and typed; its siblings are unharmed.
 */
const scratch = mkdtempSync(path.join(os.tmpdir(), 'vidvar-limits-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// The crash test's clip is made before any polling starts.
beforeAll(() => clip({ width: 320, height: 568, duration: 4 }));

const lavfi = (size: string, seconds: number) => [
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=${size}:rate=30:duration=${seconds}`,
];

async function waitForPid(...markers: string[]): Promise<number> {
  for (let i = 0; i < 1000; i++) {
    const [pid] = ffmpegChildren(...markers);
    if (pid) return pid;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no ffmpeg with ${markers.join(' ')}`);
}

function limitLine(pid: number, name: string): string[] {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(name));
  return (line ?? '').slice(name.length).trim().split(/\s+/);
}

it('has prlimit, choom and nice on this machine (util-linux and coreutils, as in the image)', () => {
  expect(wrapperAvailable()).toBe(true);
});

describe('a running FFmpeg', () => {
  it('is FFmpeg itself, lower in priority, first in line for the OOM killer, with CPU and memory caps', async () => {
    const out = path.join(scratch, 'limited.mkv');
    const limits: ProcessLimits = {
      memoryBytes: 900 * 1024 ** 2,
      cpuFloorSec: 77,
      cpuPerMediaSec: 2,
      niceness: 10,
    };
    const run = runFfmpeg({
      args: ['-re', ...lavfi('160x120', 60), '-c:v', 'mpeg4', '-y', out],
      durationSec: 60,
      options: engineOptions({ processLimits: limits }),
    });
    const pid = await waitForPid(out);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    expect(Number(fields[16])).toBe(10); // nice
    expect(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim()).toBe('1000');
    // 60 s of media at 2 CPU-s each: 120 s soft, a sure SIGKILL 10 s later.
    expect(limitLine(pid, 'Max cpu time')).toEqual(['120', '130', 'seconds']);
    expect(limitLine(pid, 'Max data size')).toEqual([
      String(900 * 1024 ** 2),
      String(900 * 1024 ** 2),
      'bytes',
    ]);
    // What runs is exactly the plain command: the wrapper execs it, it does not change it.
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    expect(argv.slice(1)).toEqual(ffmpegArgv(['-re', ...lavfi('160x120', 60), '-c:v', 'mpeg4', '-y', out]));
    process.kill(pid, 'SIGTERM');
    await run.catch(() => undefined);
  });

  it('runs unlimited and at normal priority only when the limits are switched off', async () => {
    const out = path.join(scratch, 'unlimited.mkv');
    const run = runFfmpeg({
      args: ['-re', ...lavfi('160x120', 60), '-c:v', 'mpeg4', '-y', out],
      durationSec: 60,
      options: engineOptions({ processLimits: null }),
    });
    const pid = await waitForPid(out);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])).toBe(0);
    process.kill(pid, 'SIGTERM');
    await run.catch(() => undefined);
  });

  it('has defaults: 1.5 GiB of data, a CPU budget scaled to the media with a 300 s floor, nice 10', () => {
    expect(DEFAULT_PROCESS_LIMITS).toEqual({
      memoryBytes: 1.5 * 1024 ** 3,
      cpuFloorSec: 300,
      cpuPerMediaSec: 30,
      niceness: 10,
    });
    expect(engineOptions().processLimits).toEqual(DEFAULT_PROCESS_LIMITS);
    const command = limitedCommand('ffmpeg', ['-i', 'file:x.mp4'], DEFAULT_PROCESS_LIMITS, 600);
    expect(command?.file).toBe('prlimit');
    expect(command?.args.slice(0, 2)).toEqual(['--cpu=600:610', `--data=${1.5 * 1024 ** 3}`]);
    expect(command?.args.slice(-3)).toEqual(['/usr/bin/ffmpeg', '-i', 'file:x.mp4']);
  });
});

describe('a run that breaks a limit or crashes', () => {
  it('is stopped at its CPU-time budget and fails typed', async () => {
    const limits: ProcessLimits = { ...DEFAULT_PROCESS_LIMITS, cpuFloorSec: 1, cpuPerMediaSec: 0.01 };
    const error = await runFfmpeg({
      // Minutes of CPU work: far more than one second.
      args: [...lavfi('1280x720', 120), '-c:v', 'libx264', '-preset', 'medium', '-f', 'null', '-'],
      durationSec: 120,
      options: engineOptions({ processLimits: limits, threads: 1 }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).code).toBe('ffmpeg_failed');
    expect((error as FfmpegError).message).toMatch(/CPU-time limit/);
  });

  it('cannot take more memory than its cap: it fails typed instead of growing', async () => {
    const args = [
      ...lavfi('1920x1080', 1),
      '-frames:v',
      '1',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-f',
      'null',
      '-',
    ];
    const capped = engineOptions({
      processLimits: { ...DEFAULT_PROCESS_LIMITS, memoryBytes: 64 * 1024 ** 2 },
      // FFmpeg sometimes waits forever after a failed allocation: the watchdog ends that too.
      stallTimeoutMs: 3000,
    });
    const error = await runFfmpeg({ args, durationSec: 0, options: capped }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect(['ffmpeg_failed', 'ffmpeg_stalled']).toContain((error as FfmpegError).code);
    // The same work fits in the default cap.
    const ok = await runFfmpeg({ args, durationSec: 0, options: engineOptions() });
    expect(ok.frames).toBe(1);
  });

  it('crashing mid-render fails only that output, with a typed failure; its sibling is delivered', async () => {
    const source = clip({ width: 320, height: 568, duration: 4 });
    const options = engineOptions({ threads: 1, fanOut: 1, preset: 'ultrafast' });
    const media = await admitMedia(source, 'ad.mp4', options);
    const plans =
      planJob({ seed: 'crash', intensity: 'medium', count: 2, sources: [media], preset: 'ultrafast' })[0] ??
      [];
    const dir = path.join(scratch, 'crash');
    mkdirSync(dir);
    const targets: RenderTarget[] = plans.map((plan) => ({
      outputId: `v${plan.index}`,
      plan,
      workPath: path.join(dir, `v${plan.index}.part.mp4`),
      finalPath: path.join(dir, `v${plan.index}.mp4`),
    }));
    const first = targets[0] as RenderTarget;
    const rendering = renderVariations({ inputPath: source, media, targets, options });
    // The argument exactly (arguments end in NUL): another process names `<path>.source.fp`.
    const pid = await waitForPid('-filter_complex', `file:${first.workPath}\u0000`);
    process.kill(pid, 'SIGSEGV');
    const results = await rendering;
    expect(isRunning(pid)).toBe(false);
    const crashed = results.find((r) => r.outputId === first.outputId);
    expect(crashed).toMatchObject({
      ok: false,
      code: 'render_failed',
      message: 'FFmpeg could not render this variation.',
    });
    expect(crashed?.ok === false && crashed.detail).toMatch(/crashed \(SIGSEGV\)/);
    expect(results.find((r) => r.outputId !== first.outputId)).toMatchObject({ ok: true });
  });
});
