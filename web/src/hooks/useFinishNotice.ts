import { useEffect, useRef } from 'preact/hooks';
import { isFinished, type JobView } from '../api/types.js';
import { notifyFinished } from '../lib/notify.js';

/** Notifies once when a job watched from this tab goes from working to finished. */
export function useFinishNotice(job: JobView | null, title: string): void {
  const wasWorking = useRef(false);
  useEffect(() => {
    if (!job) return;
    const finished = isFinished(job.status);
    if (finished && wasWorking.current) notifyFinished(job, title);
    wasWorking.current = !finished;
  }, [job, title]);
}
