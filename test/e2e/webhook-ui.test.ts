import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clip } from '../support/clips.js';
import type { VidvarProcess } from '../support/server-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { launchBrowser, signInAt } from './browser.js';
import { startWebServer, stopWebServer } from './web-server.js';

/**
 * A batch's webhook on the job screen, in a real browser: a receiver on loopback (reachable only with
 * WEBHOOK_ALLOW_PRIVATE=true, tests only) answers 500 and then 200, and the screen lists both attempts.
 */
const PASSWORD = 'e2e-webhook-password';

let server: VidvarProcess;
let browser: Browser;
let page: Page;
let receiver: WebhookReceiver;
const pageErrors: string[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startWebServer(PASSWORD, {
    WEBHOOK_SECRET: 'an-e2e-secret-of-enough-length',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_FIRST_RETRY_SECONDS: '0.2',
  });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) await stopWebServer(server);
  await receiver?.close();
});

describe('the webhook on the job screen', () => {
  it('lists every attempt, each with its time and answer, under the line about the last one', async () => {
    receiver.answer(500, 200);
    const form = new FormData();
    form.append('count', '1');
    form.append('intensity', 'subtle');
    form.append('webhookUrl', receiver.url);
    form.append('files', new Blob([readFileSync(clip({ duration: 1 }))], { type: 'video/mp4' }), 'hook.mp4');
    const cookie = await server.signIn();
    const res = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { cookie }, body: form });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };

    await signInAt(page, server.url, PASSWORD, 'jobs');
    await page.goto(`${server.url}/#/jobs/${encodeURIComponent(id)}`);
    // The line refreshes by itself while the event waits for its second try.
    await page.getByText(/Webhook to .*: delivered .*\(answered 200\)/).waitFor({ timeout: 120_000 });
    expect(receiver.received.map((r) => r.answeredWith)).toEqual([500, 200]);

    const toggle = page.getByText('All attempts (2)', { exact: true });
    const list = page.getByRole('list', { name: 'Attempts to send job.done' });
    expect(await list.isVisible()).toBe(false);
    await toggle.click();
    const items = list.getByRole('listitem');
    expect(await items.allTextContents()).toEqual([
      expect.stringMatching(/\d{2}.*: answered 500$/),
      expect.stringMatching(/\d{2}.*: answered 200$/),
    ]);
    const times = await list
      .locator('time')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('datetime')));
    expect(times).toHaveLength(2);
    expect(Date.parse(times[1] as string)).toBeGreaterThanOrEqual(Date.parse(times[0] as string));
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
