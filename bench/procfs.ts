import { readdir, readFile } from 'node:fs/promises';

/**
 * Linux /proc readers for one process and its descendants. Parsers are pure so they are unit-tested on
 * captured text; readers return null when the process is gone, which is normal while sampling.
 */

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux build. */
export const CLOCK_TICKS_PER_SEC = 100;
export const PAGE_BYTES = 4096;

export interface ProcStat {
  pid: number;
  ppid: number;
  /** Own user + system CPU seconds. */
  cpuSec: number;
  /** CPU seconds of children already waited for (how FFmpeg's time reaches the server's figure). */
  childrenCpuSec: number;
  rssBytes: number;
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so split after the last ')'. */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('not a /proc/<pid>/stat line');
  const pid = Number(text.slice(0, open).trim());
  // Fields from 3 (state) on; field n sits at index n - 3.
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/)
    .map(Number);
  const field = (n: number) => f[n - 3] ?? Number.NaN;
  return {
    pid,
    ppid: field(4),
    cpuSec: (field(14) + field(15)) / CLOCK_TICKS_PER_SEC,
    childrenCpuSec: (field(16) + field(17)) / CLOCK_TICKS_PER_SEC,
    rssBytes: field(24) * PAGE_BYTES,
  };
}

/** VmRSS and VmHWM (the kernel's exact peak RSS of the process) from /proc/<pid>/status, in bytes. */
export function parseProcStatus(text: string): { rssBytes: number; hwmBytes: number } {
  const kb = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : 0;
  };
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

export async function readProcStat(pid: number): Promise<ProcStat | null> {
  const text = await readOrNull(`/proc/${pid}/stat`);
  return text === null ? null : parseProcStat(text);
}

export async function readProcStatus(pid: number): Promise<{ rssBytes: number; hwmBytes: number } | null> {
  const text = await readOrNull(`/proc/${pid}/status`);
  return text === null ? null : parseProcStatus(text);
}

/** The root and every live descendant, found by walking parent links of all processes. */
export function descendants(rootPid: number, stats: ProcStat[]): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const s of stats) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(byParent.get((tree[i] as ProcStat).pid) ?? []));
  return tree;
}

export async function readProcessTree(rootPid: number): Promise<ProcStat[]> {
  const entries = await readdir('/proc');
  const stats = await Promise.all(entries.filter((e) => /^\d+$/.test(e)).map((e) => readProcStat(Number(e))));
  return descendants(
    rootPid,
    stats.filter((s): s is ProcStat => s !== null),
  );
}
