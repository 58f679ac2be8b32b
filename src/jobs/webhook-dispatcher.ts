import type { Logger } from 'pino';
import { isFinishedJob } from '../job-status.js';
import { resolveTarget, TargetRefused } from '../outbound/outbound-target.js';
import { RequestFailed, sendPinned } from '../outbound/pinned-request.js';
import type { JobEvents } from './job-events.js';
import { newId } from './job-service.js';
import type { JobStore } from './types.js';
import { webhookEvent } from './webhook-event.js';
import { webhookHeaders } from './webhook-signature.js';
import type { WebhookDeliveries, WebhookDelivery } from './webhook-store.js';

/**
 * Sends each job's end to its webhook. The end is recorded as a delivery row when the job reaches
 * done, failed or canceled; a loop sends due rows one at a time and records every attempt. A failed
 * attempt is retried after a delay that grows 4× each time (at most 8 h), the last time 24 h after the
 * end; rows left pending
 * by a restart are sent when the next server starts.
 */
export const CONNECT_TIMEOUT_MS = 5_000;
export const TOTAL_TIMEOUT_MS = 10_000;
export const RETRY_WINDOW_MS = 24 * 3600_000;
const MAX_RETRY_DELAY_MS = 8 * 3600_000;
/** Even with nothing due the loop looks again this often (a row written by another process). */
const IDLE_POLL_MS = 60_000;
/** Delivered and abandoned events of deleted jobs are kept this long, then purged. */
const KEEP_FINISHED_MS = 48 * 3600_000;
/** A delivery taken for sending is held this much longer than an attempt can take. */
const LEASE_MARGIN_MS = 5_000;

export interface WebhookDispatcherDeps {
  store: JobStore;
  webhooks: WebhookDeliveries;
  events: JobEvents;
  secret: string | undefined;
  allowPrivate: boolean;
  firstRetryMs: number;
  clock: () => number;
  logger: Logger;
  /** Short by default (a receiver should answer at once); tests shorten them to see the refusal. */
  connectTimeoutMs?: number;
  totalTimeoutMs?: number;
}

/** The wait after the n-th failed attempt (n ≥ 1). */
export function retryDelayMs(firstRetryMs: number, failures: number): number {
  return Math.min(firstRetryMs * 4 ** (failures - 1), MAX_RETRY_DELAY_MS);
}

function describeFailure(error: unknown, timeouts: { connectMs: number; totalMs: number }): string {
  if (error instanceof TargetRefused) {
    return error.reason === 'private'
      ? 'refused: the address is private, loopback or link-local'
      : error.reason === 'unresolvable'
        ? 'the host name did not resolve'
        : 'refused: not an http(s) address';
  }
  if (error instanceof RequestFailed) {
    if (error.reason === 'connect_timeout') return `no connection within ${timeouts.connectMs / 1000} s`;
    if (error.reason === 'timeout') return `no answer within ${timeouts.totalMs / 1000} s`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export class WebhookDispatcher {
  readonly #deps: WebhookDispatcherDeps;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(deps: WebhookDispatcherDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#unsubscribe = this.#deps.events.subscribeAll((jobId) => this.#recordEndLogged(jobId));
    // An end the last process recorded but did not turn into a delivery (it stopped in between).
    Promise.resolve(this.#deps.webhooks.webhookJobIds()).then(
      (jobIds) => {
        for (const jobId of jobIds) this.#recordEndLogged(jobId);
      },
      (error: unknown) => this.#deps.logger.error({ err: error }, 'webhooks not read at start'),
    );
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    clearTimeout(this.#timer);
    this.#abort.abort();
    await this.#running;
  }

  /** Records the job's end as a delivery, once per end, when it has a webhook and has ended. */
  async recordEnd(jobId: string): Promise<void> {
    const { webhooks, store, clock } = this.#deps;
    const webhook = await webhooks.getWebhook(jobId);
    if (!webhook) return;
    const job = await store.getJob(jobId);
    if (!job || !isFinishedJob(job.status)) return;
    const now = clock();
    const body = JSON.stringify(webhookEvent(job, job.status, webhook, now));
    // One event per run's end: a retried job that fails again started again, so it reports again.
    const eventKey = `${job.status}:${job.startedAt ?? 'never started'}`;
    const id = `msg_${newId()}`;
    if (await webhooks.addDelivery({ id, jobId, eventKey, url: webhook.url, body, createdAt: now })) {
      this.#deps.logger.info({ jobId, deliveryId: id, event: 'webhook_queued' }, 'webhook event queued');
      this.#schedule(0);
    }
  }

  #recordEndLogged(jobId: string): void {
    this.recordEnd(jobId).then(undefined, (error: unknown) =>
      this.#deps.logger.error({ err: error, jobId }, 'webhook event not recorded; the next change retries'),
    );
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, Math.min(delayMs, IDLE_POLL_MS)));
  }

  #tick(): void {
    this.#running = this.#sendDue()
      .then(() => this.#nextWakeMs())
      .then(undefined, (error: unknown) => {
        this.#deps.logger.error({ err: error }, 'webhook delivery loop failed');
        return IDLE_POLL_MS;
      })
      .then((delayMs) => {
        this.#running = undefined;
        this.#schedule(delayMs);
      });
  }

  async #nextWakeMs(): Promise<number> {
    const next = this.#again ? null : await this.#deps.webhooks.nextDueAt();
    // A delivery recorded while this pass ran: look again now.
    if (this.#again) {
      this.#again = false;
      return 0;
    }
    return next === null ? IDLE_POLL_MS : next - this.#deps.clock();
  }

  async #sendDue(): Promise<void> {
    const { webhooks, clock } = this.#deps;
    await webhooks.purgeFinished(clock() - KEEP_FINISHED_MS);
    // Held while it is sent: another API process sharing the deliveries takes the next one instead.
    const leaseMs = (this.#deps.totalTimeoutMs ?? TOTAL_TIMEOUT_MS) + LEASE_MARGIN_MS;
    for (let sent = 0; sent < 20 && !this.#stopped; sent++) {
      const delivery = await webhooks.takeDue(clock(), leaseMs);
      if (!delivery) return;
      await this.#send(delivery);
    }
  }

  async #send(delivery: WebhookDelivery): Promise<void> {
    const { secret, allowPrivate, clock, logger, webhooks, firstRetryMs } = this.#deps;
    const connectMs = this.#deps.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    const totalMs = this.#deps.totalTimeoutMs ?? TOTAL_TIMEOUT_MS;
    const at = clock();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      if (!secret) throw new Error('WEBHOOK_SECRET is not set on the server, so the event cannot be signed');
      const target = await resolveTarget(delivery.url, { allowPrivate });
      const headers = webhookHeaders(secret, delivery.id, Math.floor(at / 1000), delivery.body);
      statusCode = await sendPinned(target, {
        method: 'POST',
        headers,
        body: delivery.body,
        connectTimeoutMs: connectMs,
        totalTimeoutMs: totalMs,
        signal: this.#abort.signal,
      });
    } catch (failure) {
      // Shutting down mid-attempt: not an attempt; it is due again once its lease ends, here or elsewhere.
      if (this.#stopped) return;
      error = describeFailure(failure, { connectMs, totalMs });
    }
    const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
    // The last try falls at the end of the window, whatever the schedule would say.
    const deadline = delivery.createdAt + RETRY_WINDOW_MS;
    const retryAt = Math.min(clock() + retryDelayMs(firstRetryMs, delivery.attempts.length + 1), deadline);
    const giveUp = !delivered && (at >= deadline || !secret);
    const state = delivered ? 'delivered' : giveUp ? 'failed' : 'pending';
    await webhooks.recordAttempt(
      delivery.id,
      { at, statusCode, error },
      state,
      state === 'pending' ? retryAt : null,
    );
    const log = {
      jobId: delivery.jobId,
      deliveryId: delivery.id,
      statusCode,
      error,
      state,
      event: 'webhook_attempt',
    };
    if (delivered) logger.info(log, 'webhook delivered');
    else logger.warn(log, 'webhook attempt failed');
  }
}
