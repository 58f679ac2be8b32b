import { JobRow } from '../components/JobRow.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { useJobs } from '../hooks/useJobs.js';
import { useNow } from '../hooks/useNow.js';
import { formatAgo } from '../lib/format.js';
import { routeHref } from '../lib/route.js';

/** Every batch, newest first, refreshing itself while something is processing. */
export function JobsList() {
  const { jobs, error, heardAt } = useJobs();
  const now = useNow();
  return (
    <section class="screen">
      <div class="screen__head">
        <ScreenHeading title="Jobs" />
        {heardAt !== null && <span class="updated">Updated {formatAgo(heardAt, now)}</span>}
      </div>
      {error && jobs === null && error.status !== 0 && (
        <p class="error-text" role="alert">
          {error.message}
        </p>
      )}
      {jobs === null && !error && <p class="muted">Loading…</p>}
      {jobs?.length === 0 && (
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
