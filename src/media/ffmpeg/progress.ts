/**
 * Reads FFmpeg's `-progress pipe:1` output: blocks of key=value lines, each block closed by
 * `progress=continue` or `progress=end`. Chunks from the pipe split lines anywhere, so the parser
 * keeps the unfinished line until its newline arrives.
 */
export interface ProgressSnapshot {
  /** 0..1 of the expected duration; never goes backwards; 1 once FFmpeg says `progress=end`. */
  fraction: number;
  /** Timestamp FFmpeg has written up to, in seconds (null until it reports one). */
  outTimeSec: number | null;
  /** Frames written so far (null until reported). */
  frames: number | null;
  done: boolean;
}

/** A line longer than this is not progress output; dropping it keeps memory bounded. */
const MAX_LINE = 4096;

export class ProgressParser {
  private partial = '';
  private outTimeSec: number | null = null;
  private frames: number | null = null;
  private fraction = 0;
  private done = false;

  constructor(private readonly durationSec: number) {}

  /** Feeds text from FFmpeg's stdout; returns one snapshot per block completed by this chunk. */
  push(chunk: string): ProgressSnapshot[] {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > MAX_LINE) this.partial = '';
    const snapshots: ProgressSnapshot[] = [];
    for (const line of lines) {
      const snapshot = this.readLine(line.trim());
      if (snapshot) snapshots.push(snapshot);
    }
    return snapshots;
  }

  snapshot(): ProgressSnapshot {
    return { fraction: this.fraction, outTimeSec: this.outTimeSec, frames: this.frames, done: this.done };
  }

  private readLine(line: string): ProgressSnapshot | null {
    const eq = line.indexOf('=');
    if (eq <= 0) return null;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'out_time_us' || key === 'out_time_ms') {
      // FFmpeg's out_time_ms is in microseconds too (a long-standing naming mistake).
      this.setOutTime(Number.parseInt(value, 10) / 1e6, value);
    } else if (key === 'out_time') {
      this.setOutTime(clockSeconds(value), value);
    } else if (key === 'frame') {
      const frames = Number.parseInt(value, 10);
      if (Number.isFinite(frames) && frames >= 0) this.frames = frames;
    } else if (key === 'progress') {
      if (value === 'end') this.done = true;
      this.fraction = Math.max(this.fraction, this.done ? 1 : this.fractionOfDuration());
      return this.snapshot();
    }
    return null;
  }

  private setOutTime(seconds: number, raw: string): void {
    if (raw === 'N/A' || !Number.isFinite(seconds)) return;
    this.outTimeSec = Math.max(0, seconds);
  }

  private fractionOfDuration(): number {
    if (this.outTimeSec === null || !(this.durationSec > 0)) return 0;
    return Math.min(1, Math.max(0, this.outTimeSec / this.durationSec));
  }
}

/** "HH:MM:SS.micro" → seconds; NaN for anything else (such as N/A). */
function clockSeconds(value: string): number {
  const match = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value);
  if (!match) return Number.NaN;
  const total = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
  return match[1] === '-' ? -total : total;
}
