import { useEffect, useRef, useState } from 'preact/hooks';
import type { JobView } from '../api/types.js';
import { addSample, describeRemaining, type ProgressSample, remainingMs } from '../lib/estimate.js';

/** "about 2 min left" while a job runs, once its speed has been measured; null otherwise. */
export function useTimeLeft(job: JobView | null, now: number): string | null {
  const samples = useRef<ProgressSample[]>([]);
  const [left, setLeft] = useState<number | null>(null);
  const running = job?.status === 'running';
  const progress = job?.progress ?? 0;
  const id = job?.id;
  useEffect(() => {
    if (!running) {
      samples.current = [];
      setLeft(null);
      return;
    }
    samples.current = addSample(samples.current, { at: Date.now(), progress });
    setLeft(remainingMs(samples.current));
  }, [running, progress, id]);
  // Measured at the last change; counts down between changes.
  return left === null
    ? null
    : describeRemaining(Math.max(0, left - (now - (samples.current.at(-1)?.at ?? now))));
}
