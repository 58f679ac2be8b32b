import { readFileSync } from 'node:fs';

/** USER_HZ, the unit of CPU times in /proc/<pid>/stat: 100 on every mainstream Linux build. */
const TICKS_PER_SEC = 100;

/**
 * CPU seconds (user + system) a running process has used, from /proc; null where there is no /proc
 * (a laptop on macOS) or the process is gone. Read in a timer's callback: one small file, synchronously.
 */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line; the state (field 3) is the first after ')'.
  const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
  return Number.isFinite(ticks) ? ticks / TICKS_PER_SEC : null;
}
