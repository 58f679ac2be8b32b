import { readdir, readFile } from 'node:fs/promises';
import { type ProcStat, parseProcStat } from '../src/lib/proc-stat.js';

export { type ProcStat, parseProcStat };

/**
 * Linux /proc readers for one process and its descendants. Parsers are pure so they are unit-tested on
 * captured text; readers return null when the process is gone, which is normal while sampling.
 */

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
