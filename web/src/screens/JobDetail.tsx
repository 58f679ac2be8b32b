import type { JobView } from '../api/types.js';
import { JobActions } from '../components/JobActions.js';
import { jobTitle } from '../components/JobRow.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { SourceSection } from '../components/SourceSection.js';
import { StatusBadge, toneOf } from '../components/StatusBadge.js';
import { DistinctBadge, VpdqExplainer } from '../components/VpdqLine.js';
import { useFinishNotice } from '../hooks/useFinishNotice.js';
import { useLiveJob } from '../hooks/useLiveJob.js';
import { useNow } from '../hooks/useNow.js';
import { formatAgo, formatUntil, plural } from '../lib/format.js';
import { routeHref } from '../lib/route.js';

/** One sentence for the live region: changes only when the state does, not with every percent. */
function statusSentence(job: JobView): string {
  const total = job.outputs.length;
  switch (job.status) {
    case 'queued':
      return 'Waiting for its turn…';
    case 'running':
      return `Making ${plural(total, 'variation')}…`;
    case 'done':
      return total === 1 ? 'The variation is ready.' : `All ${total} variations are ready.`;
    case 'failed':
      return 'Some variations could not be made.';
    case 'canceled':
      return 'This batch was canceled.';
    case 'interrupted':
      return 'Resuming… The server restarted; finished variations are kept.';
  }
}

export function JobDetail({ id }: { id: string }) {
  const { job, error, heardAt, replace } = useLiveJob(id);
  const now = useNow();
  const title = job ? jobTitle(job) : 'Batch';
  useFinishNotice(job, title);

  if (error) {
    return (
      <section class="screen">
        <ScreenHeading title="Batch not found" />
        <p class="muted">It may have expired or been deleted.</p>
        <a class="button button--secondary" href={routeHref({ name: 'jobs' })}>
          See all jobs
        </a>
      </section>
    );
  }
  if (!job) {
    return (
      <section class="screen">
        <p class="muted">Loading…</p>
      </section>
    );
  }

  const done = job.outputs.filter((o) => o.status === 'done').length;
  return (
    <section class="screen">
      <a class="back" href={routeHref({ name: 'jobs' })}>
        ← All jobs
      </a>
      <div class="screen__head">
        <ScreenHeading title={title} />
        <StatusBadge status={job.status} />
      </div>
      <div class="card summary-card">
        <p class="summary-card__status" role="status">
          {statusSentence(job)}
        </p>
        <ProgressBar value={job.progress} label="Batch progress" tone={toneOf(job.status)} />
        <p class="muted small summary-card__meta">
          <span>
            {done} of {plural(job.outputs.length, 'variation')} ready
          </span>
          <span>Intensity: {job.intensity}</span>
          <span class="vpdq-summary">
            <DistinctBadge job={job} />
            <VpdqExplainer />
          </span>
          <span>
            Seed: <code>{job.seed}</code>
          </span>
          {heardAt !== null && <span>Updated {formatAgo(heardAt, now)}</span>}
          <span>Files deleted {formatUntil(Date.parse(job.expiresAt), now)}</span>
        </p>
        {job.error && (
          <p class="error-text" role="alert">
            {job.error}
          </p>
        )}
        <JobActions job={job} onChange={replace} />
      </div>
      {job.sources.map((source) => (
        <SourceSection key={source.id} job={job} source={source} />
      ))}
    </section>
  );
}
