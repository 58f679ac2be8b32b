import type { Db } from './db.js';
import { transaction } from './transaction.js';

/**
 * Webhook rows: each job's target, and each event to deliver with its attempts. Deliveries are rows
 * so that a restart resumes them; every method is one short statement.
 */
export interface JobWebhook {
  url: string;
  metadata: Record<string, unknown> | null;
  /** Where the event's links point: PUBLIC_URL, or the origin the job was created through. */
  baseUrl: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookAttempt {
  at: number;
  statusCode: number | null;
  error: string | null;
}

export interface WebhookDelivery {
  id: string;
  jobId: string;
  eventKey: string;
  url: string;
  body: string;
  state: DeliveryState;
  createdAt: number;
  nextAttemptAt: number | null;
  attempts: WebhookAttempt[];
}

type Awaitable<T> = T | Promise<T>;

/** Where webhooks and their deliveries live: the SQLite file, or Redis (redis-webhooks.ts) for several API processes. */
export interface WebhookDeliveries {
  setWebhook(jobId: string, webhook: JobWebhook): Awaitable<void>;
  getWebhook(jobId: string): Awaitable<JobWebhook | null>;
  webhookJobIds(): Awaitable<string[]>;
  addDelivery(d: NewDelivery): Awaitable<boolean>;
  deliveriesOf(jobId: string): Awaitable<WebhookDelivery[]>;
  /**
   * The delivery due first, held for `leaseMs` (its next attempt moved that far on) so that no other
   * process sends it meanwhile; null when none is due. recordAttempt sets its real next attempt.
   */
  takeDue(now: number, leaseMs: number): Awaitable<WebhookDelivery | null>;
  /** When the next pending delivery is due; null when none is pending. */
  nextDueAt(): Awaitable<number | null>;
  recordAttempt(
    id: string,
    attempt: WebhookAttempt,
    state: DeliveryState,
    nextAttemptAt: number | null,
  ): Awaitable<void>;
  /** Finished deliveries of jobs that are gone, once older than `before`. */
  purgeFinished(before: number): Awaitable<number>;
}

export type NewDelivery = Omit<WebhookDelivery, 'state' | 'attempts' | 'nextAttemptAt'>;

type Row = Record<string, unknown>;
const DELIVERY = `id, job_id AS jobId, event_key AS eventKey, url, body, state, created_at AS createdAt,
  next_attempt_at AS nextAttemptAt`;

export class WebhookStore implements WebhookDeliveries {
  readonly #db: Db;
  readonly #q;

  constructor(db: Db) {
    this.#db = db;
    const sql = (text: string) => db.prepare(text);
    this.#q = {
      setWebhook: sql('INSERT INTO job_webhooks (job_id, url, metadata, base_url) VALUES (?, ?, ?, ?)'),
      webhookJobIds: sql('SELECT job_id AS jobId FROM job_webhooks'),
      getWebhook: sql('SELECT url, metadata, base_url AS baseUrl FROM job_webhooks WHERE job_id = ?'),
      insertDelivery: sql(`INSERT OR IGNORE INTO webhook_deliveries
        (id, job_id, event_key, url, body, state, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`),
      byJob: sql(`SELECT ${DELIVERY} FROM webhook_deliveries WHERE job_id = ? ORDER BY created_at, rowid`),
      due: sql(`SELECT ${DELIVERY} FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?
        ORDER BY next_attempt_at LIMIT ?`),
      nextDue: sql(`SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries WHERE state = 'pending'`),
      attempts: sql(`SELECT at, status_code AS statusCode, error FROM webhook_attempts WHERE delivery_id = ?
        ORDER BY at, rowid`),
      addAttempt: sql(
        'INSERT INTO webhook_attempts (delivery_id, at, status_code, error) VALUES (?, ?, ?, ?)',
      ),
      setState: sql('UPDATE webhook_deliveries SET state = ?, next_attempt_at = ? WHERE id = ?'),
      hold: sql('UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?'),
      purge: sql(`DELETE FROM webhook_deliveries WHERE state <> 'pending' AND created_at < ?
        AND job_id NOT IN (SELECT id FROM jobs)`),
    };
  }

  setWebhook(jobId: string, webhook: JobWebhook): void {
    const metadata = webhook.metadata === null ? null : JSON.stringify(webhook.metadata);
    this.#q.setWebhook.run(jobId, webhook.url, metadata, webhook.baseUrl);
  }

  getWebhook(jobId: string): JobWebhook | null {
    const row = this.#q.getWebhook.get(jobId) as Row | undefined;
    if (!row) return null;
    const metadata = row.metadata === null ? null : JSON.parse(row.metadata as string);
    return { url: row.url as string, metadata, baseUrl: row.baseUrl as string };
  }

  webhookJobIds(): string[] {
    return (this.#q.webhookJobIds.all() as Array<{ jobId: string }>).map((row) => row.jobId);
  }

  addDelivery(d: NewDelivery): boolean {
    const result = this.#q.insertDelivery.run(
      d.id,
      d.jobId,
      d.eventKey,
      d.url,
      d.body,
      d.createdAt,
      d.createdAt,
    );
    return Number(result.changes) === 1;
  }

  deliveriesOf(jobId: string): WebhookDelivery[] {
    return (this.#q.byJob.all(jobId) as Row[]).map((row) => this.#withAttempts(row));
  }

  due(now: number, limit: number): WebhookDelivery[] {
    return (this.#q.due.all(now, limit) as Row[]).map((row) => this.#withAttempts(row));
  }

  takeDue(now: number, leaseMs: number): WebhookDelivery | null {
    return transaction(this.#db, () => {
      const [first] = this.due(now, 1);
      if (!first) return null;
      this.#q.hold.run(now + leaseMs, first.id);
      return first;
    });
  }

  nextDueAt(): number | null {
    return ((this.#q.nextDue.get() as Row | undefined)?.at as number | null | undefined) ?? null;
  }

  recordAttempt(
    id: string,
    attempt: WebhookAttempt,
    state: DeliveryState,
    nextAttemptAt: number | null,
  ): void {
    transaction(this.#db, () => {
      this.#q.addAttempt.run(id, attempt.at, attempt.statusCode, attempt.error);
      this.#q.setState.run(state, nextAttemptAt, id);
    });
  }

  purgeFinished(before: number): number {
    return Number(this.#q.purge.run(before).changes);
  }

  #withAttempts(row: Row): WebhookDelivery {
    const attempts = this.#q.attempts.all(row.id as string) as unknown as WebhookAttempt[];
    return { ...(row as unknown as Omit<WebhookDelivery, 'attempts'>), attempts };
  }
}
