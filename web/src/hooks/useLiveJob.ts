import { useEffect, useState } from 'preact/hooks';
import { getJob, jobEventsUrl } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { applyJobChange, isFinished, type JobChange, type JobView } from '../api/types.js';
import { createPoller } from '../lib/poller.js';

export interface LiveJob {
  job: JobView | null;
  /** A 404 or other lasting refusal; the screen shows it instead of the job. */
  error: ApiError | null;
  /** When the server last told us anything about this job (ms since epoch). */
  heardAt: number | null;
  /** Replace the job after an action (retry) answered with a fresh view. */
  replace(job: JobView): void;
}

const POLL_MS = 2000;
const POLL_MAX_MS = 30_000;

/**
 * Follows one job: server-sent events first; when the stream fails (proxy, network, auth),
 * polling with backoff takes over until the job finishes.
 */
export function useLiveJob(id: string): LiveJob {
  const [job, setJob] = useState<JobView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [heardAt, setHeardAt] = useState<number | null>(null);
  // Bumped after a retry: a finished job that is queued again needs following again.
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let finished = false;
    let source: EventSource | null = null;
    setError(null);

    const apply = (next: JobView) => {
      setJob(next);
      setError(null);
      setHeardAt(Date.now());
      finished = isFinished(next.status);
      if (finished) source?.close();
    };

    const poller = createPoller(
      async () => {
        try {
          apply(await getJob(id));
          return !finished;
        } catch (err) {
          if (err instanceof ApiError && (err.status === 404 || err.status === 401)) {
            if (err.status === 404) setError(err);
            return false;
          }
          throw err;
        }
      },
      POLL_MS,
      POLL_MAX_MS,
    );

    if (typeof EventSource === 'undefined') {
      poller.start();
    } else {
      source = new EventSource(jobEventsUrl(id));
      source.addEventListener('job', (event) => apply(JSON.parse((event as MessageEvent<string>).data)));
      // Only what changed, applied to the whole job the stream sends first.
      source.addEventListener('change', (event) => {
        const change = JSON.parse((event as MessageEvent<string>).data) as JobChange;
        setJob((current) => (current ? applyJobChange(current, change) : current));
        setError(null);
        setHeardAt(Date.now());
        finished = isFinished(change.status);
        if (finished) source?.close();
      });
      source.onerror = () => {
        source?.close();
        source = null;
        if (!finished) poller.start();
      };
    }

    return () => {
      source?.close();
      poller.stop();
    };
  }, [id, generation]);

  const replace = (next: JobView) => {
    setJob(next);
    setHeardAt(Date.now());
    setGeneration((g) => g + 1);
  };
  // A job from the previous route must not flash while the new one loads.
  return { job: job?.id === id ? job : null, error, heardAt, replace };
}
