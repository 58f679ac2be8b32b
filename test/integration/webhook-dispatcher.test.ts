import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/jobs/db.js';
import { createJobEvents } from '../../src/jobs/job-events.js';
import { createSqliteJobStore } from '../../src/jobs/sqlite-job-store.js';
import {
  RETRY_WINDOW_MS,
  WebhookDispatcher,
  type WebhookDispatcherDeps,
} from '../../src/jobs/webhook-dispatcher.js';
import { type WebhookDelivery, WebhookStore } from '../../src/jobs/webhook-store.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/**
 * The dispatcher's limits, with a real SQLite file and real receivers on loopback: a receiver that
 * never answers, the end of the 24 h retry window (on a clock the test moves), and a private target
 * when private addresses are not allowed. Each delivery is a row written as the server writes it.
 */
const receiver = await startWebhookReceiver();
// Takes the request and never answers: the dispatcher must give up on its own.
const silent = createServer(() => undefined);
await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hooks`;
afterAll(async () => {
  await receiver.close();
  silent.closeAllConnections();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

const START = Date.parse('2026-11-30T12:00:00Z');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A dispatcher over its own database, with one event already recorded for `url`, running. */
function dispatching(url: string, overrides: Partial<WebhookDispatcherDeps> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vidvar-dispatch-'));
  const db = openDatabase(path.join(dir, 'vidvar.db'));
  const webhooks = new WebhookStore(db);
  const clock = { now: START };
  webhooks.addDelivery({
    id: 'msg_test',
    jobId: 'job_test',
    eventKey: 'done:test',
    url,
    body: '{"type":"job.done"}',
    createdAt: START,
  });
  const dispatcher = new WebhookDispatcher({
    store: createSqliteJobStore(db),
    webhooks,
    events: createJobEvents(),
    secret: 'a-test-secret-of-enough-length',
    allowPrivate: true,
    firstRetryMs: 50,
    clock: () => clock.now,
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  dispatcher.start();
  cleanups.push(async () => {
    await dispatcher.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const delivery = (): WebhookDelivery => webhooks.deliveriesOf('job_test')[0] as WebhookDelivery;
  /** Waits (polling, with a deadline) until the delivery has this many attempts. */
  async function attempts(count: number): Promise<WebhookDelivery> {
    const deadline = Date.now() + 30_000;
    while (delivery().attempts.length < count) {
      if (Date.now() > deadline) throw new Error(`${delivery().attempts.length} of ${count} attempts made`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return delivery();
  }
  return { webhooks, clock, dispatcher, attempts };
}

describe('the webhook dispatcher', () => {
  it('gives up on a receiver that takes the request and never answers, and says so', async () => {
    const { attempts } = dispatching(silentUrl, { totalTimeoutMs: 300 });
    const delivery = await attempts(1);
    expect(delivery.attempts[0]).toMatchObject({ statusCode: null, error: 'no answer within 0.3 s' });
    expect(delivery.state).toBe('pending');
  });

  it('stops retrying 24 h after the end: the delivery is failed, nothing is due, nothing more is sent', async () => {
    receiver.answer(500);
    const before = receiver.received.length;
    const { attempts, clock, dispatcher, webhooks } = dispatching(receiver.url);
    const first = await attempts(1);
    expect(first).toMatchObject({ state: 'pending', nextAttemptAt: START + 50 });
    // The clock stands still, so no retry is due until the test moves it past the window.
    clock.now = START + RETRY_WINDOW_MS + 1;
    const last = await attempts(2);
    expect(last.attempts.map((a) => a.statusCode)).toEqual([500, 500]);
    expect(last).toMatchObject({ state: 'failed', nextAttemptAt: null });
    expect(webhooks.nextDueAt()).toBeNull();
    expect(webhooks.due(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    await dispatcher.stop();
    expect(receiver.received.length - before).toBe(2);
  });

  it('refuses a private target when private addresses are not allowed, sending nothing', async () => {
    const before = receiver.received.length;
    const { attempts } = dispatching(receiver.url, { allowPrivate: false });
    const delivery = await attempts(1);
    expect(delivery.attempts[0]).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/^refused: the address is private/),
    });
    expect(receiver.received.length - before).toBe(0);
  });
});
