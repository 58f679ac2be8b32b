/**
 * Screens for the README, taken from the real server and a real browser:
 * `npx tsx test/e2e/screenshots.ts` writes docs/screenshots/*.png. Not part of `npm test`.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { clip } from '../support/clips.js';
import { REPO_ROOT } from '../support/server-process.js';
import { launchBrowser } from './browser.js';
import { startWebServer, stopWebServer } from './web-server.js';

const PASSWORD = 'screenshot-password';
const OUT = path.join(REPO_ROOT, 'docs', 'screenshots');
const WAIT = 240_000;

const sources = [
  {
    name: 'spring-launch-9x16.mp4',
    file: clip({ width: 360, height: 640, duration: 3, source: 'gradients' }),
  },
  { name: 'product-demo-9x16.mp4', file: clip({ width: 360, height: 640, duration: 3 }) },
];

async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  // Let visible thumbnails decode and transitions settle; lazy images far below never load.
  await page.waitForFunction(() =>
    [...document.images].every((img) => img.complete || img.getBoundingClientRect().top > window.innerHeight),
  );
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage });
  process.stdout.write(`wrote docs/screenshots/${name}.png\n`);
}

async function upload(page: Page, files: typeof sources): Promise<void> {
  await page
    .getByLabel('Choose videos')
    .setInputFiles(files.map((s) => ({ name: s.name, mimeType: 'video/mp4', buffer: readFileSync(s.file) })));
  await page
    .locator('.upload-list__item--ready')
    .nth(files.length - 1)
    .waitFor();
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startWebServer(PASSWORD);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);

    await page.goto(`${server.url}/#/new`);
    await page.getByLabel('Password').waitFor();
    await shoot(page, 'sign-in');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // A first batch, finished, so the list has history.
    await upload(page, sources.slice(1));
    await page.getByLabel('Variations per video').fill('3');
    await page.getByRole('button', { name: 'Create variations' }).click();
    await page.getByText('All 3 variations are ready.').waitFor();

    await page.getByRole('link', { name: 'New batch', exact: true }).click();
    await upload(page, sources);
    await page.getByLabel('Variations per video').fill('4');
    await page.getByRole('radio', { name: 'Strong' }).check();
    await page.getByRole('heading', { level: 1 }).focus();
    await shoot(page, 'new-batch');

    await page.getByRole('button', { name: 'Create variations' }).click();
    await page.waitForURL(/#\/jobs\/[^/]+$/);
    const jobUrl = page.url();
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.locator('.job-row').nth(1).waitFor();
    await shoot(page, 'jobs');

    await page.goto(jobUrl);
    await page.getByText('All 8 variations are ready.').waitFor();
    await shoot(page, 'job-detail', true);
    // Two favourites picked: the bar that downloads just those stays at the bottom of the window.
    await page.getByRole('checkbox').nth(0).check();
    await page.getByRole('checkbox').nth(2).check();
    await page.getByRole('link', { name: 'Download selected (2)' }).waitFor();
    await shoot(page, 'job-selected');

    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('Monday refresh (n8n)');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByLabel('New API token').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Agency dashboard');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByRole('list', { name: 'API tokens' }).getByRole('listitem').nth(1).waitFor();
    await shoot(page, 'settings');

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      colorScheme: 'dark',
      storageState: await context.storageState(),
    });
    const phonePage = await phone.newPage();
    await phonePage.goto(jobUrl);
    await phonePage.getByText('All 8 variations are ready.').waitFor();
    await shoot(phonePage, 'job-detail-phone-dark');

    await phonePage.getByRole('link', { name: 'New batch', exact: true }).click();
    await upload(phonePage, sources.slice(0, 1));
    await shoot(phonePage, 'new-batch-phone-dark');
  } finally {
    await browser?.close();
    await stopWebServer(server);
  }
}

await main();
