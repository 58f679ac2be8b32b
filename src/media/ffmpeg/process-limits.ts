import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * What one FFmpeg or ffprobe process may take from the machine, so that one hostile or broken file
 * cannot starve or kill the server: a memory ceiling, a CPU-time budget, a lower priority, and the
 * kernel's out-of-memory killer pointed at FFmpeg rather than at Node.
 *
 * Memory is capped as the data segment (RLIMIT_DATA: heap and private writable mappings), not as the
 * address space: a legitimate 4K render on one CPU reserves 1.7 GB of address space (thread stacks,
 * glibc's 64 MB arena reservations) while using 0.6 GB, so an address-space cap tight enough to matter
 * would refuse good files.
 */
export interface ProcessLimits {
  /** RLIMIT_DATA of each process, bytes; 0 = no cap. */
  memoryBytes: number;
  /** The CPU-time budget never goes below this, seconds. */
  cpuFloorSec: number;
  /** CPU seconds allowed per second of media each output of the run gets (all threads together). */
  cpuPerMediaSec: number;
  /** `nice` increment: encodes yield to the HTTP server. */
  niceness: number;
}

export const DEFAULT_PROCESS_LIMITS: ProcessLimits = {
  memoryBytes: 1.5 * 1024 ** 3,
  cpuFloorSec: 300,
  // Generous: the slowest preset with the costliest effects is several times ultrafast.
  cpuPerMediaSec: 30,
  niceness: 10,
};

/** After the soft limit (SIGXCPU, which FFmpeg does not catch) the hard limit is a sure SIGKILL. */
const CPU_HARD_MARGIN_SEC = 10;
/** Raising one's own OOM score needs no privilege; 1000 makes FFmpeg the kernel's first choice. */
const OOM_SCORE_ADJ = 1000;

export interface LimitedCommand {
  file: string;
  args: string[];
}

/**
 * The command that runs `program argv` under the limits: `prlimit … -- choom … -- nice … program`,
 * each of which execs the next, so the spawned pid is FFmpeg's own. null when the program cannot be
 * found. Without util-linux (or with limits null) the program runs directly.
 */
export function limitedCommand(
  program: string,
  argv: string[],
  limits: ProcessLimits | null,
  cpuSec: number,
): LimitedCommand | null {
  if (!limits || !wrapperAvailable()) return { file: program, args: argv };
  const resolved = resolveProgram(program);
  if (!resolved) return null;
  const soft = Math.max(1, Math.ceil(cpuSec));
  const prlimit = [`--cpu=${soft}:${soft + CPU_HARD_MARGIN_SEC}`];
  if (limits.memoryBytes > 0) prlimit.push(`--data=${Math.floor(limits.memoryBytes)}`);
  return {
    file: 'prlimit',
    args: [
      ...prlimit,
      '--',
      ...['choom', '-n', String(OOM_SCORE_ADJ), '--'],
      ...['nice', '-n', String(limits.niceness), resolved, ...argv],
    ],
  };
}

/** CPU seconds for a run producing `mediaSec` of media; unknown (0) is budgeted as the longest allowed. */
export function cpuBudgetSec(
  limits: ProcessLimits,
  mediaSec: number,
  longestMediaSec: number,
  outputs = 1,
): number {
  const seconds = mediaSec > 0 ? mediaSec : longestMediaSec;
  return Math.max(limits.cpuFloorSec, seconds * limits.cpuPerMediaSec * Math.max(1, outputs));
}

/** How the end of a process that failed on its own is described in logs. */
export function describeExit(exitCode: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return describeSignal(signal);
  // FFmpeg catches SIGXCPU like SIGTERM, closes its files and exits 255.
  if (exitCode === 255) return 'exit code 255: stopped by a signal, such as its CPU-time limit';
  return `exit code ${exitCode}`;
}

function describeSignal(signal: NodeJS.Signals): string {
  if (signal === 'SIGXCPU') return 'stopped at its CPU-time limit';
  if (signal === 'SIGKILL') return 'killed (CPU-time limit or out of memory)';
  if (signal === 'SIGSEGV' || signal === 'SIGBUS' || signal === 'SIGABRT' || signal === 'SIGILL') {
    return `crashed (${signal})`;
  }
  return `killed by ${signal}`;
}

let wrapper: boolean | undefined;

/** Whether prlimit, choom and nice work here; checked once by running them. */
export function wrapperAvailable(): boolean {
  wrapper ??=
    spawnSync(
      'prlimit',
      ['--cpu=5', '--', 'choom', '-n', String(OOM_SCORE_ADJ), '--', 'nice', '-n', '1', 'true'],
      {
        stdio: 'ignore',
        timeout: 5000,
      },
    ).status === 0;
  return wrapper;
}

const resolved = new Map<string, string>();

/** Absolute path of an executable, as the shell would find it; null when there is none. */
function resolveProgram(program: string): string | null {
  const known = resolved.get(program);
  if (known) return known;
  const candidates = program.includes('/')
    ? [path.resolve(program)]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, program));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      resolved.set(program, candidate);
      return candidate;
    } catch {
      // Not here: try the next folder.
    }
  }
  return null;
}
