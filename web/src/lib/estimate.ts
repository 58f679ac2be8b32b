/**
 * "About 2 min left", from the speed measured so far: progress samples over a recent window give a
 * rate; no estimate until there is enough to go on (an early guess would jump around and mislead).
 */
export interface ProgressSample {
  at: number;
  progress: number;
}

const WINDOW_MS = 90_000;
const MIN_SPAN_MS = 8_000;
const MIN_PROGRESS = 0.03;

/** Keeps the samples of the recent window, with the new one added if progress moved. */
export function addSample(samples: ProgressSample[], sample: ProgressSample): ProgressSample[] {
  const last = samples.at(-1);
  const kept = samples.filter((s) => sample.at - s.at <= WINDOW_MS && s.progress <= sample.progress);
  if (last && last.progress === sample.progress) return kept;
  return [...kept, sample];
}

/** Milliseconds left at the measured rate, or null while there is too little to measure. */
export function remainingMs(samples: ProgressSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.progress < MIN_PROGRESS || last.at - first.at < MIN_SPAN_MS) return null;
  const rate = (last.progress - first.progress) / (last.at - first.at);
  if (rate <= 0) return null;
  return (1 - last.progress) / rate;
}

/** "about 3 min left", "less than a minute left". */
export function describeRemaining(ms: number): string {
  if (ms < 60_000) return 'less than a minute left';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${hours} h${rest ? ` ${rest} min` : ''} left`;
}
