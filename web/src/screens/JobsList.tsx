import { useEffect, useState } from 'preact/hooks';
import { JobRow } from '../components/JobRow.js';
import { JobSearch } from '../components/JobSearch.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { useJobs } from '../hooks/useJobs.js';
import { useNow } from '../hooks/useNow.js';
import { formatAgo } from '../lib/format.js';
import { notice } from '../lib/notice.js';
import { routeHref } from '../lib/route.js';
import { useStore } from '../lib/store.js';

const NOTICE_MS = 10_000;

/** Every batch, newest first, refreshing itself while something is processing. */
export function JobsList() {
  const [search, setSearch] = useState('');
  const { jobs, error, heardAt } = useJobs(search);
  const now = useNow();
  const message = useStore(notice);
  // Said once: it fades after a while and is gone when the screen is left.
  useEffect(() => {
    if (message === null) return;
    const timer = setTimeout(() => notice.set(null), NOTICE_MS);
    return () => {
      clearTimeout(timer);
      notice.set(null);
    };
  }, [message]);
  return (
    <section class="screen">
      <div class="screen__head">
        <ScreenHeading title="Jobs" />
        {heardAt !== null && <span class="updated">Updated {formatAgo(heardAt, now)}</span>}
      </div>
      <JobSearch onSearch={setSearch} />
      {message && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      {error && jobs === null && error.status !== 0 && (
        <p class="error-text" role="alert">
          {error.message}
        </p>
      )}
      {jobs === null && !error && <p class="muted">Loading…</p>}
      {jobs?.length === 0 && search && <p class="muted">No batch has “{search}” in its name or files.</p>}
      {jobs?.length === 0 && !search && (
        <div class="card empty">
          <p>No batches yet.</p>
          <a class="button button--primary" href={routeHref({ name: 'new' })}>
            Start a new batch
          </a>
        </div>
      )}
      {jobs && jobs.length > 0 && (
        <ul class="job-list" aria-label="Batches">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} now={now} />
          ))}
        </ul>
      )}
    </section>
  );
}
