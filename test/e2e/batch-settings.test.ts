import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clip } from '../support/clips.js';
import type { VidvarProcess } from '../support/server-process.js';
import { launchBrowser, signInAt } from './browser.js';
import { startWebServer, stopWebServer } from './web-server.js';
import { extractZip, readJson } from './zip-check.js';

/**
 * Brand-safe, named and reusable batches in Chromium: Protect text and logos keeps every one of 30
 * outputs unmirrored and inside the safe margin, exclusions hold and repeat with the seed, the name
 * reaches the list, the page, the ZIP and the manifest, files survive a reload, and "New batch from
 * these settings" fills the form again.
 */
const PASSWORD = 'e2e-brand-password';
const LONG = 240_000;
/** The smallest clip that still has detail for vPDQ: 30 variations of it render in well under a minute. */
const SOURCE = readFileSync(clip({ duration: 1, width: 144, height: 256 }));
const SEED = 'brand-safe-e2e';

let server: VidvarProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;

interface ManifestOutput {
  index: number;
  effects: Array<{ id: string; params: Record<string, number | string> }>;
  distinctness: { redraws: unknown[] } | null;
}
interface Manifest {
  name: string;
  exclude: string[];
  protectText: boolean;
  seed: string;
  outputs: ManifestOutput[];
}
let manifest: Manifest;
let firstJobId = '';

const COLOUR = ['brightness', 'contrast', 'saturation', 'gamma', 'hue', 'temperature', 'curves'];
const MARGIN = 0.05;

/** A zoom window that takes at most the margin from every edge (offsets 0..1 across the slack). */
function zoomKeepsMargin(params: Record<string, number | string>): boolean {
  const taken = 1 - 1 / Number(params.zoom);
  return [Number(params.x), Number(params.y)].every(
    (offset) => taken * offset <= MARGIN + 1e-9 && taken * (1 - offset) <= MARGIN + 1e-9,
  );
}

async function addVideo(name: string) {
  await page.getByLabel('Choose videos').setInputFiles({ name, mimeType: 'video/mp4', buffer: SOURCE });
  await page.locator('.upload-list__item--ready').filter({ hasText: name }).waitFor();
}

async function openEffects() {
  const summary = page.locator('summary').filter({ hasText: /^Effects/ });
  if ((await page.locator('details.effects__panel').getAttribute('open')) === null) await summary.click();
}

async function openAdvanced() {
  const details = page.locator('details.advanced:not(.effects__panel)');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
}

beforeAll(async () => {
  server = await startWebServer(PASSWORD);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await signInAt(page, server.url, PASSWORD, 'new');
});

afterAll(async () => {
  await browser?.close();
  if (server) await stopWebServer(server);
});

describe('brand-safe, named batches', () => {
  it('protects text by default, honours exclusions, and names the batch, its page, its row and its ZIP', async () => {
    await addVideo('launch.mp4');
    // The name proposed is the first file's and the day's.
    expect(await page.getByLabel('Batch name').inputValue()).toMatch(/^launch \d{4}-\d\d-\d\d$/);
    await page.getByLabel('Batch name').fill('Spring launch');
    await page.getByLabel('Variations per video').fill('30');
    await page.getByRole('radio', { name: 'Strong' }).check();
    await openAdvanced();
    await page.getByLabel('Seed').fill(SEED);

    const protect = page.getByRole('checkbox', { name: 'Protect text and logos' });
    expect(await protect.isChecked()).toBe(true);
    await openEffects();
    const mirror = page.getByRole('checkbox', { name: /^Mirror/ });
    expect(await mirror.isDisabled()).toBe(true);
    expect(await mirror.isChecked()).toBe(false);
    await page.getByRole('checkbox', { name: 'Pitch', exact: true }).uncheck();
    await page.getByRole('checkbox', { name: 'Colour', exact: true }).uncheck();
    expect(await page.getByRole('checkbox', { name: 'Hue shift' }).isDisabled()).toBe(true);
    await page.getByText('· 2 left out').waitFor();

    await page.getByRole('button', { name: 'Create variations' }).click();
    await page.waitForURL(/#\/jobs\/[^/]+$/);
    firstJobId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    await page.getByRole('heading', { level: 1, name: 'Spring launch' }).waitFor();
    await page.getByText('Text and logos protected · without all colour, pitch').waitFor();
    const ending = page.getByText(/^(All 30 variations are ready|Some variations could not be made)\.$/);
    await ending.waitFor({ timeout: LONG });
    expect(await ending.textContent()).toBe('All 30 variations are ready.');

    // The ZIP carries the name; its manifest, the choices and what every output did.
    const zipLink = page.getByRole('link', { name: 'Download ZIP', exact: true });
    const [download] = await Promise.all([page.waitForEvent('download'), zipLink.click()]);
    expect(download.suggestedFilename()).toMatch(/^spring-launch-\d{4}-\d\d-\d\d\.zip$/);
    const zipPath = path.join(os.tmpdir(), `vidvar-e2e-${firstJobId}.zip`);
    await download.saveAs(zipPath);
    const { dir, files } = extractZip(zipPath);
    expect(files.filter((f) => f.endsWith('.mp4'))).toHaveLength(30);
    manifest = readJson(path.join(dir, 'manifest.json')) as Manifest;
    rmSync(dir, { recursive: true, force: true });
    rmSync(zipPath, { force: true });
    expect(manifest).toMatchObject({
      name: 'Spring launch',
      exclude: ['colour', 'pitch'],
      protectText: true,
      seed: SEED,
    });
    expect(manifest.outputs).toHaveLength(30);
    for (const output of manifest.outputs) {
      const ids = output.effects.map((e) => e.id);
      expect(ids, `v${output.index}`).not.toContain('mirror');
      expect(
        ids.filter((id) => id === 'pitch' || COLOUR.includes(id)),
        `v${output.index}`,
      ).toEqual([]);
      const zoom = output.effects.find((e) => e.id === 'zoom');
      if (zoom) expect(zoomKeepsMargin(zoom.params), JSON.stringify(zoom.params)).toBe(true);
    }

    // The list shows the name, and finds the batch by it.
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.getByRole('listitem').filter({ hasText: 'Spring launch' }).waitFor();
    await page.getByLabel('Search batches').fill('SPRING');
    await page.getByRole('listitem').filter({ hasText: 'Spring launch' }).waitFor();
    await page.getByLabel('Search batches').fill('autumn');
    await page.getByText('No batch has “autumn” in its name or files.').waitFor();
    expect(await page.locator('.job-row').count()).toBe(0);
    await page.getByLabel('Search batches').fill('');
    await page.locator('.job-row').first().waitFor();
  }, 300_000);

  it('"New batch from these settings" fills in everything, and the seed with the same exclusions plans the same', async () => {
    await page.goto(`${server.url}/#/jobs/${firstJobId}`);
    await page.getByRole('button', { name: 'New batch from these settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'New batch' }).waitFor();
    expect(await page.getByLabel('Batch name').inputValue()).toBe('Spring launch');
    expect(await page.getByLabel('Variations per video').inputValue()).toBe('30');
    expect(await page.getByRole('radio', { name: 'Strong' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Protect text and logos' }).isChecked()).toBe(true);
    await openEffects();
    expect(await page.getByRole('checkbox', { name: 'Pitch', exact: true }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'Colour', exact: true }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'Volume', exact: true }).isChecked()).toBe(true);

    // The same file and seed again: every output vPDQ did not send back for a redraw is planned the same.
    await addVideo('launch.mp4');
    await openAdvanced();
    await page.getByLabel('Seed').fill(SEED);
    await page.getByRole('button', { name: 'Create variations' }).click();
    await page.waitForURL((url) => url.hash.startsWith('#/jobs/') && !url.hash.endsWith(firstJobId));
    const againId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    const again = (await (await page.request.get(`${server.url}/api/jobs/${againId}`)).json()) as {
      exclude: string[];
      outputs: Array<{ index: number; effects: Array<{ id: string; params: unknown }> }>;
    };
    // Only the plan matters here: the second batch need not render.
    await page.request.post(`${server.url}/api/jobs/${againId}/stop`);
    expect(again.exclude).toEqual(['colour', 'pitch']);
    const unredrawn = manifest.outputs.filter((o) => o.distinctness?.redraws.length === 0);
    expect(unredrawn.length).toBeGreaterThan(20);
    for (const output of unredrawn) {
      const twin = again.outputs.find((o) => o.index === output.index);
      expect(twin?.effects.map((e) => [e.id, e.params])).toEqual(output.effects.map((e) => [e.id, e.params]));
    }
  }, 120_000);

  it('keeps uploaded files and the last settings across a reload, offered as "Uploaded earlier"', async () => {
    await page.getByRole('link', { name: 'New batch', exact: true }).click();
    await addVideo('keep-me.mp4');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'New batch' }).waitFor();
    await page.getByRole('heading', { name: 'Uploaded earlier' }).waitFor();
    await page.locator('.earlier .upload-list__item').filter({ hasText: 'keep-me.mp4' }).waitFor();
    // Remembered from the last batch made here.
    expect(await page.getByLabel('Variations per video').inputValue()).toBe('30');
    expect(await page.getByRole('radio', { name: 'Strong' }).isChecked()).toBe(true);
    await openEffects();
    expect(await page.getByRole('checkbox', { name: 'Pitch', exact: true }).isChecked()).toBe(false);
    expect(await page.getByLabel('Batch name').inputValue()).toMatch(/^keep-me \d{4}-\d\d-\d\d$/);

    await page.getByLabel('Variations per video').fill('1');
    await page.getByRole('button', { name: 'Create variations' }).click();
    await page.getByRole('heading', { level: 1, name: 'keep-me' }).waitFor();
    await page.getByRole('link', { name: 'New batch', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'New batch' }).waitFor();
    // Used now: no longer offered.
    await page.getByText('Add at least one video to start.').waitFor();
    expect(await page.getByRole('heading', { name: 'Uploaded earlier' }).count()).toBe(0);
  }, 120_000);
});
