import { useEffect, useState } from 'preact/hooks';
import { listJobs } from '../api/endpoints.js';
import type { ApiError } from '../api/http.js';
import { isFinished, type JobView } from '../api/types.js';
import { createPoller } from '../lib/poller.js';

const ACTIVE_MS = 2000;
const IDLE_MS = 15_000;
const MAX_MS = 30_000;

export interface JobsList {
  jobs: JobView[] | null;
  error: ApiError | null;
  heardAt: number | null;
}

/** All jobs (or those `search` finds), newest first, refreshed often while something is processing and rarely otherwise. */
export function useJobs(search = ''): JobsList {
  const [jobs, setJobs] = useState<JobView[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [heardAt, setHeardAt] = useState<number | null>(null);

  useEffect(() => {
    let lastWasActive = true;
    let sinceIdleFetch = 0;
    const poller = createPoller(
      async () => {
        // Nothing processing: only every IDLE_MS, so an open list costs the server little.
        sinceIdleFetch += ACTIVE_MS;
        if (!lastWasActive && sinceIdleFetch < IDLE_MS) return true;
        sinceIdleFetch = 0;
        try {
          const next = await listJobs(search);
          setJobs(next);
          setError(null);
          setHeardAt(Date.now());
          lastWasActive = next.some((job) => !isFinished(job.status));
          return true;
        } catch (err) {
          setError(err as ApiError);
          throw err;
        }
      },
      ACTIVE_MS,
      MAX_MS,
    );
    poller.start();
    return () => poller.stop();
  }, [search]);

  return { jobs, error, heardAt };
}
