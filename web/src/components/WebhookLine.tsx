import { useEffect, useState } from 'preact/hooks';
import { getJob } from '../api/endpoints.js';
import { isFinished, type JobView, type WebhookView } from '../api/types.js';
import { formatAgo, formatUntil, plural } from '../lib/format.js';
import { WebhookAttempts } from './WebhookAttempts.js';

/** How often the line asks again while an event waits to be delivered (the job's stream has ended). */
const REFRESH_MS = 5000;

type Delivery = WebhookView['deliveries'][number];

function describe(delivery: Delivery | undefined, jobFinished: boolean, now: number): string {
  if (!delivery) return jobFinished ? 'sending…' : 'sent when the batch ends';
  const last = delivery.attempts.at(-1);
  const tries = plural(delivery.attempts.length, 'attempt');
  const answer = last ? (last.statusCode !== null ? `answered ${last.statusCode}` : last.error) : '';
  if (delivery.state === 'delivered' && last)
    return `delivered ${formatAgo(Date.parse(last.at), now)} (${answer})`;
  if (delivery.state === 'failed') return `not delivered after ${tries}; the last ${answer}`;
  if (!last) return 'sending…';
  const next = delivery.nextAttemptAt
    ? `, trying again ${formatUntil(Date.parse(delivery.nextAttemptAt), now)}`
    : '';
  return `${tries} so far, the last ${answer}${next}`;
}

/** One line on the job screen: where the batch reports its end, how that went, and every attempt. */
export function WebhookLine({ job, now }: { job: JobView; now: number }) {
  const [webhook, setWebhook] = useState(job.webhook);
  // A refresh that failed leaves the last state shown, marked as possibly out of date.
  const [stale, setStale] = useState(false);
  useEffect(() => setWebhook(job.webhook), [job.webhook]);
  const latest = webhook?.deliveries.at(-1);
  const waiting = isFinished(job.status) && (!latest || latest.state === 'pending');
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => {
      getJob(job.id).then(
        (fresh) => {
          setWebhook(fresh.webhook);
          setStale(false);
        },
        () => setStale(true),
      );
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [waiting, job.id]);
  if (!webhook) return null;
  let host = webhook.url;
  try {
    host = new URL(webhook.url).host;
  } catch {
    // A stored URL always parses; the raw text is shown if it somehow does not.
  }
  return (
    <div class="webhook-line">
      <p class="muted small">
        Webhook to <code>{host}</code>: {describe(latest, isFinished(job.status), now)}
        {stale && ' (could not check again just now)'}
      </p>
      <WebhookAttempts deliveries={webhook.deliveries} />
    </div>
  );
}
