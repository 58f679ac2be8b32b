import type { WebhookView } from '../api/types.js';

type Delivery = WebhookView['deliveries'][number];
type Attempt = Delivery['attempts'][number];

/** With seconds: attempts minutes apart (the first retries) must not read as the same moment. */
function attemptTime(at: string): string {
  return new Date(at).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

function answer(attempt: Attempt): string {
  return attempt.statusCode !== null ? `answered ${attempt.statusCode}` : (attempt.error ?? 'no answer');
}

/**
 * Every attempt of every event, oldest first, folded away under the webhook's line: the line says how
 * the last one went, this is where someone debugging their receiver reads the whole story.
 */
export function WebhookAttempts({ deliveries }: { deliveries: Delivery[] }) {
  const tried = deliveries.filter((delivery) => delivery.attempts.length > 0);
  if (tried.length === 0) return null;
  const total = tried.reduce((sum, delivery) => sum + delivery.attempts.length, 0);
  return (
    <details class="webhook-attempts small">
      <summary class="webhook-attempts__toggle">All attempts ({total})</summary>
      {tried.map((delivery) => (
        <ol
          key={delivery.id}
          class="webhook-attempts__list"
          aria-label={`Attempts to send ${delivery.event}`}
        >
          {delivery.attempts.map((attempt, i) => (
            <li key={`${attempt.at}-${i}`}>
              <time dateTime={attempt.at}>{attemptTime(attempt.at)}</time>
              {tried.length > 1 && ` (${delivery.event})`}: {answer(attempt)}
            </li>
          ))}
        </ol>
      ))}
    </details>
  );
}
