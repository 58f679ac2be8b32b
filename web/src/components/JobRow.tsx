import { thumbnailUrl } from '../api/endpoints.js';
import type { JobView } from '../api/types.js';
import { formatAgo, plural } from '../lib/format.js';
import { routeHref } from '../lib/route.js';
import { ProgressBar } from './ProgressBar.js';
import { StatusBadge, toneOf } from './StatusBadge.js';

export function jobTitle(job: JobView): string {
  return job.name || job.sources.map((s) => s.name).join(', ') || 'Untitled batch';
}

/** One batch in the list: first finished thumbnail, sources, status, progress, age. */
export function JobRow({ job, now }: { job: JobView; now: number }) {
  const title = jobTitle(job);
  const firstDone = job.outputs.find((o) => o.status === 'done');
  const created = Date.parse(job.createdAt);
  return (
    <li class="job-row">
      <a class="job-row__link" href={routeHref({ name: 'job', id: job.id })}>
        <span class="job-row__thumb">
          {firstDone ? (
            <img src={thumbnailUrl(job.id, firstDone.id)} alt="" loading="lazy" />
          ) : (
            <span class="job-row__placeholder" aria-hidden="true">
              ▶
            </span>
          )}
        </span>
        <span class="job-row__main">
          <span class="job-row__title">{title}</span>
          <span class="job-row__meta">
            {job.name && `${job.sources.map((s) => s.name).join(', ')} · `}
            {plural(job.outputs.length, 'variation')} · {job.intensity} ·{' '}
            <time dateTime={job.createdAt} title={new Date(created).toLocaleString()}>
              {formatAgo(created, now)}
            </time>
          </span>
          <ProgressBar value={job.progress} label={`Progress of ${title}`} tone={toneOf(job.status)} small />
        </span>
        <StatusBadge status={job.status} />
      </a>
    </li>
  );
}
