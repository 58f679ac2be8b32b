import { type ChildProcess, spawn } from 'node:child_process';
import type { EngineOptions } from '../options.js';
import { FfmpegError, type FfmpegErrorCode } from './ffmpeg-error.js';
import { processCpuSeconds } from './process-cpu.js';
import { cpuBudgetSec, describeExit, limitedCommand } from './process-limits.js';
import { ProgressParser } from './progress.js';

/**
 * The one place that starts FFmpeg and ffprobe (argv arrays, never a shell). Every run drains
 * stderr into a bounded tail (a full pipe would block FFmpeg forever), can be cancelled through an
 * AbortSignal, and is killed by a watchdog when it stops making progress. Each process runs under
 * options.processLimits (memory, CPU time, priority); the command is still plain `ffmpeg …`.
 */
/** Quiet unless something fails: what a printed script's commands carry too. */
export const QUIET_FLAGS: readonly string[] = ['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'error'];
/** The runner also reads progress from stdout (a script's user has no use for it). */
export const RUNNER_FLAGS: readonly string[] = [...QUIET_FLAGS, '-progress', 'pipe:1'];

/** SIGTERM lets FFmpeg close its files; a process still there after this long gets SIGKILL. */
export const KILL_GRACE_MS = 2000;
const STDERR_TAIL_CHARS = 4096;
/**
 * A silent process counts as working while it uses at least this share of one core over the stall
 * window (and at least one clock tick): a blocked one uses none, while a niced one starved by busy
 * neighbours still gets several percent.
 */
const MIN_BUSY_CPU_SHARE = 0.01;
const MIN_BUSY_CPU_SEC = 0.01;
const FFPROBE_MAX_STDOUT = 8 * 1024 * 1024;

export function ffmpegArgv(args: string[]): string[] {
  return [...RUNNER_FLAGS, ...args];
}

export interface FfmpegRequest {
  /** Everything after the runner's own flags: inputs, filters, `-threads`, outputs. */
  args: string[];
  /** Expected output duration, for the progress fraction (0 when unknown: fraction stays 0 until the end). */
  durationSec: number;
  /** Outputs the process encodes (decode once, encode many): its CPU-time budget grows with them. */
  outputs?: number;
  options: EngineOptions;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface FfmpegOutcome {
  stderrTail: string;
  /** Last timestamp FFmpeg reported writing, in seconds. */
  outTimeSec: number | null;
  /** Frames of the first video output FFmpeg reported writing. */
  frames: number | null;
}

export async function runFfmpeg(req: FfmpegRequest): Promise<FfmpegOutcome> {
  const parser = new ProgressParser(req.durationSec);
  let lastFraction = -1;
  let lastMark = '';
  const { processLimits, maxDurationSec } = req.options;
  const cpuSec = processLimits
    ? cpuBudgetSec(processLimits, req.durationSec, maxDurationSec, req.outputs)
    : 0;
  const run = startProcess(req.options.ffmpegPath, ffmpegArgv(req.args), req.options, req.signal, cpuSec);
  run.armWatchdog(req.options.stallTimeoutMs);
  run.child.stdout?.setEncoding('utf8');
  run.child.stdout?.on('data', (chunk: string) => {
    for (const snapshot of parser.push(chunk)) {
      // Any movement counts as progress: runs without a known duration only move out_time or frames.
      const mark = `${snapshot.outTimeSec}|${snapshot.frames}|${snapshot.done}`;
      if (mark !== lastMark) {
        lastMark = mark;
        run.armWatchdog(req.options.stallTimeoutMs);
      }
      if (snapshot.fraction !== lastFraction) {
        lastFraction = snapshot.fraction;
        req.onProgress?.(snapshot.fraction);
      }
    }
  });
  const stderrTail = await run.finished;
  const last = parser.snapshot();
  return { stderrTail, outTimeSec: last.outTimeSec, frames: last.frames };
}

/** Runs ffprobe and returns its stdout; bounded in size and in time (options.stallTimeoutMs). */
export async function runFfprobe(
  args: string[],
  options: EngineOptions,
  signal?: AbortSignal,
): Promise<string> {
  // ffprobe reads headers and a few packets: the floor is its whole budget.
  const cpuSec = options.processLimits?.cpuFloorSec ?? 0;
  const run = startProcess(options.ffprobePath, ['-hide_banner', ...args], options, signal, cpuSec);
  run.armWatchdog(options.stallTimeoutMs);
  const chunks: Buffer[] = [];
  let size = 0;
  run.child.stdout?.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > FFPROBE_MAX_STDOUT) {
      run.stop('ffmpeg_failed', `ffprobe printed more than ${FFPROBE_MAX_STDOUT} bytes`);
      return;
    }
    chunks.push(chunk);
  });
  await run.finished;
  return Buffer.concat(chunks).toString('utf8');
}

interface RunningProcess {
  child: ChildProcess;
  /** Resolves with the stderr tail on exit code 0; rejects with an FfmpegError otherwise. */
  finished: Promise<string>;
  /** (Re)starts the countdown after which a silent process is killed as stalled. */
  armWatchdog(ms: number): void;
  stop(code: FfmpegErrorCode, reason: string): void;
}

function startProcess(
  program: string,
  argv: string[],
  options: EngineOptions,
  signal: AbortSignal | undefined,
  cpuSec: number,
): RunningProcess {
  if (signal?.aborted)
    throw new FfmpegError('ffmpeg_aborted', `${program} not started: the run was cancelled`, '');
  const name = program.split('/').pop() ?? program;
  const command = limitedCommand(program, argv, options.processLimits, cpuSec);
  if (!command)
    throw new FfmpegError('ffmpeg_failed', `could not start ${program}: spawn ${program} ENOENT`, '');
  const env = options.tmpDir ? { ...process.env, TMPDIR: options.tmpDir } : process.env;
  const child = spawn(command.file, command.args, { stdio: ['ignore', 'pipe', 'pipe'], env, shell: false });
  let tail = '';
  let stopped: { code: FfmpegErrorCode; reason: string } | null = null;
  let watchdog: NodeJS.Timeout | undefined;
  let killer: NodeJS.Timeout | undefined;

  const stop = (code: FfmpegErrorCode, reason: string) => {
    if (stopped || child.exitCode !== null || child.signalCode !== null) return;
    stopped = { code, reason };
    child.kill('SIGTERM');
    killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  };
  const onAbort = () => stop('ffmpeg_aborted', 'the run was cancelled');

  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
  });

  const finished = new Promise<string>((resolve, reject) => {
    child.once('error', (error) => {
      stopped ??= { code: 'ffmpeg_failed', reason: `could not start ${program}: ${error.message}` };
    });
    // 'close' comes after the process exited and its pipes are drained: nothing of it is left.
    child.once('close', (exitCode, exitSignal) => {
      clearTimeout(watchdog);
      clearTimeout(killer);
      signal?.removeEventListener('abort', onAbort);
      if (stopped) {
        reject(new FfmpegError(stopped.code, `${name}: ${stopped.reason}`, tail, exitCode));
      } else if (exitCode !== 0) {
        const lastLine = tail.trim().split('\n').pop() ?? '';
        const how = describeExit(exitCode, exitSignal);
        reject(new FfmpegError('ffmpeg_failed', `${name} failed (${how}): ${lastLine}`, tail, exitCode));
      } else {
        resolve(tail);
      }
    });
  });

  signal?.addEventListener('abort', onAbort, { once: true });

  return {
    child,
    finished,
    stop,
    armWatchdog(ms: number) {
      clearTimeout(watchdog);
      let cpuAtArm = processCpuSeconds(child.pid);
      const check = () => {
        // FFmpeg reports nothing until every output has had its first frame (a stream that changes
        // size mid-way can hold one back to the end): a process still using CPU is working, not
        // stalled. One that is blocked uses none; one that spins is stopped by its CPU-time limit.
        const cpu = processCpuSeconds(child.pid);
        if (
          cpu !== null &&
          cpuAtArm !== null &&
          cpu - cpuAtArm >= Math.max(MIN_BUSY_CPU_SEC, (MIN_BUSY_CPU_SHARE * ms) / 1000)
        ) {
          cpuAtArm = cpu;
          watchdog = setTimeout(check, ms);
          return;
        }
        stop('ffmpeg_stalled', `no progress for ${ms} ms`);
      };
      watchdog = setTimeout(check, ms);
    },
  };
}
