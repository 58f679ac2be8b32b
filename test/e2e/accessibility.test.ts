import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clip } from '../support/clips.js';
import type { VidvarProcess } from '../support/server-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { launchBrowser, signInAt } from './browser.js';
import { startWebServer, stopWebServer } from './web-server.js';

/**
 * axe-core on every screen, in light and dark, on a desktop and a 390 px phone: no violation of the
 * WCAG 2.1 A and AA rules it checks. One finished batch gives the job screen something to show, with a
 * webhook to a receiver on loopback whose attempts are listed open.
 */
const PASSWORD = 'a11y-team-password';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server: VidvarProcess;
let browser: Browser;
let jobId = '';
let receiver: WebhookReceiver;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

async function violations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (...args: unknown[]) => Promise<{ violations: Violation[] }> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  });
  return found.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
  );
}

async function signedInContext(options: { phone: boolean; dark: boolean }): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
    colorScheme: options.dark ? 'dark' : 'light',
    // axe is injected by the test; the app's own policy forbids any script it did not ship.
    bypassCSP: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await signInAt(page, server.url, PASSWORD, 'new');
  await page.close();
  return context;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startWebServer(PASSWORD, {
    WEBHOOK_SECRET: 'an-a11y-secret-of-enough-length',
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  browser = await launchBrowser();
  const cookie = await server.signIn();
  const form = new FormData();
  form.append('count', '2');
  form.append('intensity', 'subtle');
  form.append('webhookUrl', receiver.url);
  form.append('files', new Blob([readFileSync(clip({ duration: 1 }))], { type: 'video/mp4' }), 'a11y.mp4');
  const res = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { cookie }, body: form });
  jobId = ((await res.json()) as { id: string }).id;
  for (let i = 0; i < 600; i++) {
    const job = (await (await fetch(`${server.url}/api/jobs/${jobId}`, { headers: { cookie } })).json()) as {
      status: string;
    };
    if (job.status === 'done') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // A file uploaded and not used yet: New batch lists it under "Uploaded earlier".
  const bytes = readFileSync(clip({ duration: 1 }));
  const created = await fetch(`${server.url}/api/uploads`, {
    method: 'POST',
    headers: {
      cookie,
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': `filename ${Buffer.from('earlier.mp4').toString('base64')}`,
    },
  });
  await fetch(new URL(created.headers.get('location') ?? '', server.url), {
    method: 'PATCH',
    headers: {
      cookie,
      'tus-resumable': '1.0.0',
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    },
    body: new Uint8Array(bytes),
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (server) await stopWebServer(server);
  await receiver?.close();
});

const screens: Array<{ name: string; hash: string; ready: (page: Page) => Promise<unknown> }> = [
  {
    name: 'new batch',
    hash: '#/new',
    ready: (page) => page.getByRole('heading', { level: 1, name: 'New batch' }).waitFor(),
  },
  {
    name: 'new batch, every option open',
    hash: '#/new',
    ready: async (page) => {
      await page.getByRole('heading', { level: 1, name: 'New batch' }).waitFor();
      await page.locator('details.advanced:not(.effects__panel) > summary').click();
      await page.locator('details.effects__panel > summary').click();
      await page.getByRole('checkbox', { name: 'Pitch', exact: true }).waitFor();
      await page.getByRole('heading', { name: 'Uploaded earlier' }).waitFor();
    },
  },
  { name: 'jobs', hash: '#/jobs', ready: (page) => page.locator('.job-row').first().waitFor() },
  {
    name: 'job',
    hash: '',
    ready: async (page) => {
      await page.getByText('All 2 variations are ready.').waitFor();
      await page.getByText(/^All attempts \(\d+\)$/).click();
      await page.getByRole('list', { name: 'Attempts to send job.done' }).waitFor();
    },
  },
  {
    name: 'settings',
    hash: '#/settings',
    ready: (page) => page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor(),
  },
];

describe.each([
  { look: 'light, desktop', phone: false, dark: false },
  { look: 'dark, desktop', phone: false, dark: true },
  { look: 'light, phone', phone: true, dark: false },
  { look: 'dark, phone', phone: true, dark: true },
])('axe-core, $look', ({ phone, dark }) => {
  it('finds no violation on sign-in', async () => {
    const context = await browser.newContext({
      viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
      colorScheme: dark ? 'dark' : 'light',
      bypassCSP: true,
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/#/jobs`);
    await page.getByLabel('Password').waitFor();
    expect(await violations(page)).toEqual([]);
    await context.close();
  });

  it('finds no violation on any screen after sign-in', async () => {
    const context = await signedInContext({ phone, dark });
    const page = await context.newPage();
    const found: string[] = [];
    for (const screen of screens) {
      await page.goto(`${server.url}/${screen.hash || `#/jobs/${jobId}`}`);
      await screen.ready(page);
      found.push(...(await violations(page)).map((v) => `${screen.name}: ${v}`));
    }
    expect(found).toEqual([]);
    await context.close();
  });
});

describe('focus and small screens', () => {
  it('a confirmation focuses its safe answer, and focus returns to the button after Keep', async () => {
    const context = await signedInContext({ phone: false, dark: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/#/jobs/${jobId}`);
    await page.getByText('All 2 variations are ready.').waitFor();
    // Focus moves in an effect after the render: wait for it rather than read it at once.
    const focusOn = (text: string) =>
      page.waitForFunction((t) => document.activeElement?.textContent === t, text, { timeout: 5000 });
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await focusOn('Keep');
    await page.keyboard.press('Enter');
    await focusOn('Delete');
    expect(await page.getByRole('button', { name: 'Delete batch' }).count()).toBe(0);
    await context.close();
  });

  it('shows every intensity with its description on a 390 px phone', async () => {
    const context = await signedInContext({ phone: true, dark: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/#/new`);
    const hints = page.locator('.segmented__hint');
    // count() does not wait: the screen renders after the page loads.
    await hints.first().waitFor();
    expect(await hints.count()).toBe(3);
    for (const hint of await hints.all()) expect(await hint.isVisible()).toBe(true);
    await context.close();
  });
});

describe('the job screen and upload box with their new controls', () => {
  it.each([
    { look: 'light, desktop', phone: false, dark: false },
    { look: 'dark, phone', phone: true, dark: true },
  ])(
    'finds no violation with a variation picked, its exact settings open and a refused file listed ($look)',
    async ({ phone, dark }) => {
      const context = await signedInContext({ phone, dark });
      const page = await context.newPage();
      await page.goto(`${server.url}/#/jobs/${jobId}`);
      await page.getByText('All 2 variations are ready.').waitFor();
      await page.getByRole('checkbox').first().check();
      await page.getByRole('link', { name: 'Download selected (1)' }).waitFor();
      await page.locator('.changes__toggle').first().click();
      const found = (await violations(page)).map((v) => `job: ${v}`);

      await page.goto(`${server.url}/#/new`);
      await page.getByLabel('Choose videos').setInputFiles([
        { name: 'a11y-broken.mp4', mimeType: 'video/mp4', buffer: Buffer.from('not a video '.repeat(100)) },
        { name: 'a11y-fine.mp4', mimeType: 'video/mp4', buffer: readFileSync(clip({ duration: 1 })) },
      ]);
      // Uploads of earlier tests wait under "Uploaded earlier": look at this test's own list.
      const list = page.getByRole('list', { name: 'Chosen videos' });
      await list.locator('.upload-list__item--refused').waitFor();
      await list.locator('.upload-list__item--ready').waitFor();
      found.push(...(await violations(page)).map((v) => `new batch: ${v}`));
      expect(found).toEqual([]);
      await context.close();
    },
  );

  it('shows a clear focus ring on a variation checkbox reached by the keyboard; Play hands focus to the player', async () => {
    const context = await signedInContext({ phone: false, dark: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/#/jobs/${jobId}`);
    await page.getByText('All 2 variations are ready.').waitFor();
    const box = page.getByRole('checkbox').first();
    // Focus the control before it, then Tab: the ring is the one keyboard users see.
    await box.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true);
    const ring = await box.evaluate((el) => {
      const style = getComputedStyle(el);
      return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
    });
    expect(ring.style).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(2);

    // Play from the keyboard: focus moves to the player that replaced the button, not to the top.
    await page
      .getByRole('button', { name: /^Play / })
      .first()
      .focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.tagName === 'VIDEO', undefined, {
      timeout: 5000,
    });
    await context.close();
  });
});
