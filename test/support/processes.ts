import { readdirSync, readFileSync } from 'node:fs';

/** What tests see of the FFmpeg processes the code under test starts. */

/**
 * Pids of this process's FFmpeg children (the server runs inside the test process), optionally only
 * those whose command line contains every marker.
 */
export function ffmpegChildren(...markers: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid || !comm.startsWith('ffmpeg')) continue;
      const cmdline = markers.length > 0 ? readFileSync(`/proc/${entry}/cmdline`, 'utf8') : '';
      if (markers.every((m) => cmdline.includes(m))) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
