import { useEffect } from 'preact/hooks';
import { serverReachable } from '../api/session.js';
import type { JobView } from '../api/types.js';
import { JobActions } from '../components/JobActions.js';
import { jobTitle } from '../components/JobRow.js';
import { PlacementWarnings } from '../components/PlacementNotes.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { BatchChoicesLine, ReuseSettingsButton } from '../components/ReuseSettings.js';
import { ScreenHeading } from '../components/ScreenHeading.js';
import { SelectionBar } from '../components/SelectionBar.js';
import { SourceSection } from '../components/SourceSection.js';
import { StatusBadge, toneOf } from '../components/StatusBadge.js';
import { DistinctBadge, VpdqExplainer } from '../components/VpdqLine.js';
import { WebhookLine } from '../components/WebhookLine.js';
import { useFinishNotice } from '../hooks/useFinishNotice.js';
import { useLiveJob } from '../hooks/useLiveJob.js';
import { useNow } from '../hooks/useNow.js';
import { useSelection } from '../hooks/useSelection.js';
import { useTimeLeft } from '../hooks/useTimeLeft.js';
import { formatAgo, formatUntil, plural } from '../lib/format.js';
import { routeHref } from '../lib/route.js';
import { useStore } from '../lib/store.js';

const NO_OUTPUTS: JobView['outputs'] = [];

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

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
      return 'This batch was stopped; finished variations are kept.';
    case 'interrupted':
      return 'Resuming… The server restarted; finished variations are kept.';
  }
}

export function JobDetail({ id }: { id: string }) {
  const { job, error, heardAt, replace } = useLiveJob(id);
  const now = useNow();
  const reachable = useStore(serverReachable);
  const title = job ? jobTitle(job) : 'Batch';
  useFinishNotice(job, title);
  const timeLeft = useTimeLeft(job, now);
  const selection = useSelection(job?.outputs ?? NO_OUTPUTS);
  // Progress in the tab's title, so a batch can be watched from another tab.
  useEffect(() => {
    if (job?.status === 'running') document.title = `${Math.round(job.progress * 100)}% · ${title}`;
    else document.title = `${title} · vidvar`;
  }, [job?.status, job?.progress, title]);

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
          {/* While the server is out of reach, the last news is not presented as current. */}
          {reachable
            ? `${statusSentence(job)}${timeLeft && job.status === 'running' ? ` ${capitalise(timeLeft)}.` : ''}`
            : 'Reconnecting… your batch continues on the server.'}
        </p>
        <ProgressBar value={job.progress} label="Batch progress" tone={toneOf(job.status)} />
        <p class="muted small summary-card__meta">
          <span>
            {done} of {plural(job.outputs.length, 'variation')} ready
          </span>
          <span>Intensity: {job.intensity}</span>
          <BatchChoicesLine job={job} />
          <span class="vpdq-summary">
            <DistinctBadge job={job} />
            <VpdqExplainer />
          </span>
          <span>
            Seed: <code>{job.seed}</code>
          </span>
          {reachable && heardAt !== null && <span>Updated {formatAgo(heardAt, now)}</span>}
          <span>Files deleted {formatUntil(Date.parse(job.expiresAt), now)}</span>
        </p>
        <WebhookLine job={job} now={now} />
        <PlacementWarnings job={job} />
        {job.error && (
          <p class="error-text" role="alert">
            {job.error}
          </p>
        )}
        <JobActions job={job} onChange={replace} />
        <ReuseSettingsButton job={job} />
      </div>
      {job.sources.map((source) => (
        <SourceSection key={source.id} job={job} source={source} selection={selection} />
      ))}
      <SelectionBar jobId={job.id} selection={selection} />
    </section>
  );
}
