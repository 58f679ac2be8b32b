/**
 * The parser of a Linux /proc/<pid>/stat line: the FFmpeg runner reads a process's CPU time from it
 * (a silent process still computing is not stalled), and the benchmarks read CPU and memory.
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
