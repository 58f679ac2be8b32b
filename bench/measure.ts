import { spawn } from 'node:child_process';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcessTree, readProcStatus } from './procfs.js';

/**
 * What a run costs: wall time, CPU seconds, peak memory of a process tree and the disk high-water
 * mark of a folder. Memory and disk are sampled (every 200 ms by default); CPU comes from the kernel's
 * accounting of waited-for children, so it is exact.
 */

export interface Peaks {
  samples: number;
  /** Highest RSS of the root process seen by sampling. */
  rootRssBytes: number;
  /** Highest sum of RSS over the root and all its descendants at one instant (shared pages counted twice). */
  treeRssBytes: number;
  /** Highest VmHWM (exact kernel peak) of any single descendant, e.g. the largest FFmpeg. */
  childHwmBytes: number;
  /** Highest total allocated size of the watched folder, or null when none is watched. */
  diskBytes: number | null;
}

export interface Sampler {
  /** Ends sampling; safe to call again, every call answers the same final peaks. */
  stop(): Promise<Peaks>;
}

/** Allocated bytes (what `du` counts) of every file under dir; files vanishing mid-walk are skipped. */
export async function diskUsageBytes(dir: string): Promise<number> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await diskUsageBytes(full);
    else
      total += await lstat(full).then(
        (s) => s.blocks * 512,
        () => 0,
      );
  }
  return total;
}

export function startSampler(options: { rootPid: number; dir?: string; intervalMs?: number }): Sampler {
  const peaks: Peaks = { samples: 0, rootRssBytes: 0, treeRssBytes: 0, childHwmBytes: 0, diskBytes: null };
  let stopped = false;
  const sampleOnce = async () => {
    const tree = await readProcessTree(options.rootPid).catch(() => []);
    const root = tree.find((p) => p.pid === options.rootPid);
    if (root) peaks.rootRssBytes = Math.max(peaks.rootRssBytes, root.rssBytes);
    peaks.treeRssBytes = Math.max(
      peaks.treeRssBytes,
      tree.reduce((sum, p) => sum + p.rssBytes, 0),
    );
    for (const child of tree.filter((p) => p.pid !== options.rootPid)) {
      const status = await readProcStatus(child.pid);
      if (status) peaks.childHwmBytes = Math.max(peaks.childHwmBytes, status.hwmBytes);
    }
    if (options.dir !== undefined) {
      peaks.diskBytes = Math.max(peaks.diskBytes ?? 0, await diskUsageBytes(options.dir));
    }
    peaks.samples++;
  };
  const loop = (async () => {
    while (!stopped) {
      await sampleOnce();
      await sleep(options.intervalMs ?? 200);
    }
  })();
  return {
    async stop() {
      if (!stopped) {
        stopped = true;
        await loop;
        // Files are complete only at the end: the disk peak is often the last state.
        await sampleOnce();
      }
      return { ...peaks };
    },
  };
}

/** Parses the two lines of bash's `times` (shell, then children: user and system) into CPU seconds. */
export function parseBashTimes(text: string): number {
  const seconds = [...text.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 4) throw new Error(`unexpected output of bash times: ${JSON.stringify(text)}`);
  return seconds.reduce((a, b) => a + b, 0);
}

export interface ScriptRun {
  exitCode: number;
  wallSec: number;
  /** User + system CPU of bash and everything it ran (grandchildren included once waited for). */
  cpuSec: number;
  peaks: Peaks;
  stderrTail: string;
}

/**
 * Runs a bash script, stops at its first failing command, and reports its cost. `times` writes to
 * file descriptor 3 so the figures never mix with what the commands print.
 */
export async function measureScript(
  body: string,
  options: { cwd: string; env?: NodeJS.ProcessEnv; watchDir?: string; timeoutMs?: number },
): Promise<ScriptRun> {
  const script = `(\nset -e\n${body}\n)\nrc=$?\ntimes >&3\nexit $rc\n`;
  const started = performance.now();
  const child = spawn('bash', ['-c', script], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid as number;
  const sampler = startSampler({ rootPid: pid, ...(options.watchDir ? { dir: options.watchDir } : {}) });
  let stderrTail = '';
  let times = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
  });
  child.stdio[3]?.on('data', (chunk: Buffer) => {
    times += chunk.toString('utf8');
  });
  // A hung run must not hang the whole benchmark: end every process of this script's tree, by id.
  const timer = setTimeout(() => void killTree(pid), options.timeoutMs ?? 20 * 60_000);
  let exitCode: number;
  let wallSec: number;
  try {
    exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    wallSec = (performance.now() - started) / 1000;
  } finally {
    clearTimeout(timer);
    await sampler.stop();
  }
  const peaks = await sampler.stop();
  const cpuSec = times ? parseBashTimes(times) : Number.NaN;
  return { exitCode, wallSec, cpuSec, peaks, stderrTail };
}

async function killTree(rootPid: number): Promise<void> {
  for (const p of (await readProcessTree(rootPid)).reverse()) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Quotes one word for bash, so file names with spaces or quotes stay one argument. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
