import type { FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';
import type { JobWebhook } from '../jobs/webhook-store.js';
import { resolveTarget, TargetRefused } from '../outbound/outbound-target.js';

/**
 * Checks a job's webhook when the job is created, so a mistake is a 400 naming the field rather than
 * a delivery that fails a day later: the server can sign (WEBHOOK_SECRET is set), and the address is
 * http(s) and public. The delivery checks the address again, since DNS answers change.
 */
export interface WebhookPolicy {
  secret: string | undefined;
  allowPrivate: boolean;
  /** PUBLIC_URL: the base of the event's links when set; else the origin the request came through. */
  publicUrl: string | undefined;
}

const REASONS: Record<TargetRefused['reason'], string> = {
  scheme: 'must be an http(s) address',
  credentials: 'must not contain a user name or password',
  unresolvable: 'names a host that could not be found',
  private: 'points to a private, loopback or link-local address, which this server does not call',
};

export async function checkedWebhook(
  request: FastifyRequest,
  policy: WebhookPolicy,
  url: string | undefined,
  metadata: Record<string, unknown> | undefined,
): Promise<JobWebhook | undefined> {
  // Metadata travels only in webhook events: without a webhook there is nothing to carry it.
  if (url === undefined) return undefined;
  if (!policy.secret) {
    throw new UserError(
      'webhooks_not_configured',
      'webhookUrl: this server has no WEBHOOK_SECRET to sign webhooks with; ask its operator to set one.',
      400,
    );
  }
  try {
    await resolveTarget(url, { allowPrivate: policy.allowPrivate });
  } catch (error) {
    if (!(error instanceof TargetRefused)) throw error;
    throw new UserError('invalid_webhook_url', `webhookUrl: ${REASONS[error.reason]}.`, 400);
  }
  const baseUrl = policy.publicUrl ?? `${request.protocol}://${request.host}`;
  return { url, metadata: metadata ?? null, baseUrl };
}
