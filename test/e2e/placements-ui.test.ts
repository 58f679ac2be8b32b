/** The new-batch form's placements, fit and platform, through to the job screen, in a real browser. */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clip } from '../support/clips.js';
import type { VidvarProcess } from '../support/server-process.js';
import { launchBrowser, signInAt } from './browser.js';
import { startWebServer, stopWebServer } from './web-server.js';

const PASSWORD = 'e2e-placements-password';
const LONG = 180_000;
let server: VidvarProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startWebServer(PASSWORD);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  if (server) await stopWebServer(server);
});

describe('placements in the web app', () => {
  it('makes each variation in the chosen placements, grouped and labelled, with the platform warning', async () => {
    await signInAt(page, server.url, PASSWORD, 'new');
    await page.getByLabel('Choose videos').setInputFiles([
      {
        name: 'wide-ad.mp4',
        mimeType: 'video/mp4',
        buffer: readFileSync(clip({ width: 480, height: 270, duration: 1.5 })),
      },
    ]);
    await page.getByLabel('Variations per video').fill('2');
    await page.getByLabel('Platform').selectOption('tiktok');
    await page.getByRole('checkbox', { name: /^9:16/ }).check();
    await page.getByRole('checkbox', { name: /^1:1/ }).check();
    // Each fit is shown as a small picture beside its name.
    expect(await page.locator('.fit-option svg').count()).toBe(3);
    await page.getByRole('radio', { name: /^Pad/ }).check();
    await page.getByLabel('Pad colour').waitFor();
    await page.getByRole('button', { name: 'Create variations' }).click();

    await page.waitForURL(/#\/jobs\/[^/]+$/);
    // TikTok's 5 s minimum, named before anything has rendered.
    await page
      .getByRole('list', { name: 'Platform warnings' })
      .getByText(/TikTok takes at least 5 s/)
      .waitFor();
    await page.getByText('All 4 variations are ready.').waitFor({ timeout: LONG });
    // The original first, then a variation's placements side by side: v01 9:16, v01 1:1, v02 9:16, v02 1:1.
    const names = (await page.locator('.output__name').allTextContents()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
    expect(names).toEqual(['Original', 'v01 9:16', 'v01 1:1', 'v02 9:16', 'v02 1:1']);
    // The limit the short clip misses, with its figure, on every card.
    const failed = page.getByRole('list', { name: 'Platform limits not met' });
    expect(await failed.count()).toBe(4);
    expect(await failed.first().textContent()).toMatch(/duration: 1\.\d+ s \(limit 5 to 60 s\)/);
    expect(pageErrors).toEqual([]);
  });
});
