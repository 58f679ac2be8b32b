import { readFileSync } from 'node:fs';
import { parseProcStat } from '../../lib/proc-stat.js';

/**
 * CPU seconds (user + system) a running process has used, from /proc; null where there is no /proc
 * (a laptop on macOS) or the process is gone. Read in a timer's callback: one small file, synchronously.
 */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const { cpuSec } = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return Number.isFinite(cpuSec) ? cpuSec : null;
  } catch {
    return null;
  }
}
