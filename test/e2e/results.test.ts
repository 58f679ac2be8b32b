import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainFailure } from '../../src/http/plain-failure.js';
import { clip } from '../support/clips.js';
import { parseCsv } from '../support/csv.js';
import type { VidvarProcess } from '../support/server-process.js';
import { launchBrowser, signInAt } from './browser.js';
import { startWebServer, stopWebServer } from './web-server.js';
import { extractZip } from './zip-check.js';

/** The job screen as a marketer uses it after a batch: pick, download, read what changed. */

const PASSWORD = 'e2e-results-password';
const LONG = 180_000;

let server: VidvarProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

/** A finished batch made the way a script would (multipart), with the browser's session cookie. */
async function createJob(
  files: Array<{ name: string; file: string }>,
  count: number,
): Promise<{ id: string; sources: Array<{ id: string; name: string }> }> {
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const form = new FormData();
  form.append('count', String(count));
  form.append('intensity', 'medium');
  for (const { name, file } of files) {
    form.append('files', new Blob([readFileSync(file)], { type: 'video/mp4' }), name);
  }
  const res = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { cookie }, body: form });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; sources: Array<{ id: string; name: string }> };
}

/** Clicks a download link and lists the ZIP it gives (CRCs checked). */
async function zipFrom(link: ReturnType<Page['getByRole']>): Promise<{ dir: string; files: string[] }> {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const zipPath = path.join(os.tmpdir(), `vidvar-e2e-${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(zipPath);
  try {
    return extractZip(zipPath);
  } finally {
    rmSync(zipPath, { force: true });
  }
}

/** A video on loopback for "Paste a link" (this server may fetch from loopback: tests only). */
const linked = readFileSync(clip({ duration: 1 }));
const files = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': linked.length }).end(linked);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  server = await startWebServer(PASSWORD, { WEBHOOK_ALLOW_PRIVATE: 'true' });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signInAt(page, server.url, PASSWORD, 'jobs');
});

afterAll(async () => {
  files.closeAllConnections();
  files.close();
  await browser?.close();
  if (server) await stopWebServer(server);
});

describe('the upload box', () => {
  it('shows a refused file once, with its reason and Remove, never Retry, and a header that tells the truth', async () => {
    await page.getByRole('link', { name: 'New batch', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'New batch' }).waitFor();
    await page.getByLabel('Choose videos').setInputFiles([
      { name: 'unreadable.mp4', mimeType: 'video/mp4', buffer: Buffer.from('not a video '.repeat(200)) },
      { name: 'fine.mp4', mimeType: 'video/mp4', buffer: readFileSync(clip({ duration: 1 })) },
    ]);
    const list = page.getByRole('list', { name: 'Chosen videos' });
    await list.locator('.upload-list__item--refused').waitFor();
    await list.locator('.upload-list__item--ready').waitFor();
    // Focus moved to the list that just appeared, not to the top of the page.
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('upload-list');

    // Once on the whole page, with the server's reason and a Remove button, and no Retry anywhere.
    expect(await page.getByRole('listitem').filter({ hasText: 'unreadable.mp4' }).count()).toBe(1);
    expect(await page.locator('.upload-list__name', { hasText: 'unreadable.mp4' }).count()).toBe(1);
    const refused = list.getByRole('listitem').filter({ hasText: 'unreadable.mp4' });
    expect(await refused.textContent()).toMatch(/not a video file we can read/);
    expect(await page.getByRole('button', { name: /retry/i }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    const header = (await page.locator('.upload-list__summary').textContent()) ?? '';
    expect(header).toContain('1 video ready · 1 file not accepted');
    expect(await page.getByText(/Uploading \d+ file|Upload failed/).count()).toBe(0);

    await refused.getByRole('button', { name: 'Remove unreadable.mp4' }).click();
    expect(await page.getByRole('listitem').filter({ hasText: 'unreadable.mp4' }).count()).toBe(0);
    expect(await page.locator('.upload-list__summary').textContent()).toContain('1 video ready');
    await page.getByRole('button', { name: 'Remove fine.mp4' }).click();
    expect(await page.getByRole('list', { name: 'Chosen videos' }).count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('browse');

    // Dropped on the box instead of browsed for: the same list.
    const bytes = [...readFileSync(clip({ duration: 1 }))];
    const drop = await page.evaluateHandle((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'dropped.mp4', { type: 'video/mp4' }));
      return transfer;
    }, bytes);
    await page.getByRole('region', { name: 'Add videos' }).dispatchEvent('drop', { dataTransfer: drop });
    await list
      .getByRole('listitem')
      .filter({ hasText: 'dropped.mp4' })
      .filter({ hasText: 'Ready' })
      .waitFor();
    await page.getByRole('button', { name: 'Remove dropped.mp4' }).click();
  });
});

describe('the upload box, when the server fails on its side', () => {
  it('offers Retry for that file only, and Retry brings it in', async () => {
    await page.getByRole('link', { name: 'New batch', exact: true }).click();
    // The first import meets a server error (the server busy, a deploy): that is worth a retry.
    let first = true;
    await page.route('**/api/uploads/from-url', async (route) => {
      if (!first) return route.continue();
      first = false;
      await route.fulfill({ status: 503, json: { code: 'busy', message: 'The server is busy; try again.' } });
    });
    try {
      const { port } = files.address() as AddressInfo;
      await page.getByLabel('Paste a link').fill(`http://127.0.0.1:${port}/retry-me.mp4`);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      const item = page.getByRole('list', { name: 'Chosen videos' }).getByRole('listitem');
      await item.filter({ hasText: 'The server is busy' }).waitFor();
      expect(await page.locator('.upload-list__summary').textContent()).toContain('1 interrupted');
      await page.getByRole('button', { name: 'Retry retry-me.mp4' }).click();
      await item.filter({ hasText: 'Ready' }).waitFor();
      expect(await page.getByRole('button', { name: /^Retry/ }).count()).toBe(0);
      await page.getByRole('button', { name: /^Remove/ }).click();
    } finally {
      await page.unroute('**/api/uploads/from-url');
    }
  });
});

describe('the job screen', () => {
  it('downloads exactly the chosen variations, and one source on its own', async () => {
    const job = await createJob(
      [
        { name: 'pick-portrait.mp4', file: clip({ duration: 1 }) },
        { name: 'pick-bars.mp4', file: clip({ duration: 1, source: 'smptehdbars' }) },
      ],
      3,
    );
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.getByText('All 6 variations are ready.').waitFor({ timeout: LONG });

    // Nothing picked: no bar. Two picked across both sources, one picked and unpicked again.
    expect(await page.getByRole('link', { name: /^Download selected/ }).count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Select pick-portrait-v02.mp4' }).check();
    await page.getByRole('checkbox', { name: 'Select pick-bars-v03.mp4' }).check();
    const third = page.getByRole('checkbox', { name: 'Select pick-bars-v01.mp4' });
    await third.check();
    await third.uncheck();
    await page.getByRole('status').filter({ hasText: '2 variations selected' }).waitFor();

    const picked = await zipFrom(page.getByRole('link', { name: 'Download selected (2)' }));
    expect(picked.files.filter((f) => f.endsWith('.mp4'))).toEqual([
      'pick-bars/pick-bars-v03.mp4',
      'pick-portrait/pick-portrait-v02.mp4',
    ]);
    const manifest = JSON.parse(readFileSync(path.join(picked.dir, 'manifest.json'), 'utf8')) as {
      outputs: Array<{ file: string }>;
    };
    expect(manifest.outputs.map((o) => o.file).sort()).toEqual([
      'pick-bars/pick-bars-v03.mp4',
      'pick-portrait/pick-portrait-v02.mp4',
    ]);
    // The spreadsheet beside them lists exactly those two, in plain words.
    expect(picked.files).toContain('variations.csv');
    const rows = parseCsv(readFileSync(path.join(picked.dir, 'variations.csv'), 'utf8').slice(1));
    expect(rows.slice(1).map((row) => row[0])).toEqual([
      'pick-portrait/pick-portrait-v02.mp4',
      'pick-bars/pick-bars-v03.mp4',
    ]);
    rmSync(picked.dir, { recursive: true, force: true });

    // One source's folder, whatever is picked.
    const bars = page.getByRole('region', { name: 'pick-bars.mp4' });
    const folder = await zipFrom(bars.getByRole('link', { name: /^Download this source/ }));
    expect(folder.files.filter((f) => f.endsWith('.mp4'))).toEqual([
      'pick-bars/pick-bars-v01.mp4',
      'pick-bars/pick-bars-v02.mp4',
      'pick-bars/pick-bars-v03.mp4',
    ]);
    rmSync(folder.dir, { recursive: true, force: true });

    await page.getByRole('button', { name: 'Clear selection' }).click();
    expect(await page.getByRole('link', { name: /^Download selected/ }).count()).toBe(0);
    expect(await page.getByRole('checkbox', { checked: true }).count()).toBe(0);
  });

  it('shows pictures at their true shape, the original first in each row, and what changed in plain words', async () => {
    const job = await createJob(
      [
        { name: 'shape-wide.mp4', file: clip({ duration: 1, width: 640, height: 360 }) },
        { name: 'shape-tall.mp4', file: clip({ duration: 1 }) },
      ],
      2,
    );
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.getByText('All 4 variations are ready.').waitFor({ timeout: LONG });

    for (const [name, ratio] of [
      ['shape-wide.mp4', 640 / 360],
      ['shape-tall.mp4', 320 / 568],
    ] as const) {
      const tiles = page.getByRole('list', { name: `Variations of ${name}` }).locator('.output__media');
      expect(await tiles.count()).toBe(3);
      // The original comes first, with its picture loaded.
      const original = page.getByRole('img', { name: `Original: ${name}` });
      await page.waitForFunction((alt) => {
        const img = document.querySelector<HTMLImageElement>(`img[alt="${alt}"]`);
        return img?.complete === true && img.naturalWidth > 0;
      }, `Original: ${name}`);
      expect(await tiles.first().locator('img').getAttribute('alt')).toBe(`Original: ${name}`);
      expect(await original.count()).toBe(1);
      for (const tile of await tiles.all()) {
        const box = await tile.boundingBox();
        expect((box?.width ?? 0) / (box?.height ?? 1)).toBeCloseTo(ratio, 1);
      }
      // Each thumbnail fills its tile: no black bars.
      const fits = await page
        .getByRole('list', { name: `Variations of ${name}` })
        .locator('.output__play img')
        .evaluateAll((images) =>
          (images as HTMLImageElement[]).map((img) => {
            const box = img.getBoundingClientRect();
            return Math.abs(img.naturalWidth / img.naturalHeight - box.width / box.height) < 0.05;
          }),
        );
      expect(fits).toEqual([true, true]);
    }

    // What changed: plain words under family names; the exact settings one click away.
    const card = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('checkbox', { name: 'Select shape-wide-v01.mp4' }) });
    const changes = card.getByRole('list', { name: 'What changed in shape-wide-v01.mp4' });
    const text = (await changes.textContent()) ?? '';
    expect(text).toMatch(/^(Framing|Colour|Texture|Timing|Sound)/);
    expect(text).not.toMatch(/rad\)|dBFS|gamma \d/);
    const exact = card.getByText('Exact settings');
    expect(await card.locator('.changes__params').first().isVisible()).toBe(false);
    await exact.click();
    expect(await card.locator('.changes__params').first().isVisible()).toBe(true);
  });

  it('names a failure in plain words, with the technical line behind a toggle', async () => {
    const job = await createJob([{ name: 'failing.mp4', file: clip({ duration: 1 }) }], 2);
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.getByText('All 2 variations are ready.').waitFor({ timeout: LONG });
    // The server's answer with one variation failed, as a crash mid-render leaves it.
    const technical = 'FFmpeg could not render this variation.';
    await page.route('**/api/jobs/*/events', (route) => route.abort('connectionfailed'));
    await page.route(`**/api/jobs/${job.id}`, async (route) => {
      const body = await (await route.fetch()).json();
      body.status = 'failed';
      body.outputs[1] = {
        ...body.outputs[1],
        status: 'failed',
        error: technical,
        errorPlain: plainFailure(technical),
      };
      await route.fulfill({ json: body });
    });
    try {
      await page.reload();
      const card = page.getByRole('listitem').filter({ hasText: 'v02' });
      await card.getByText('This variation could not be made. “Retry failed” usually fixes it.').waitFor();
      const line = card.getByText(technical);
      expect(await line.isVisible()).toBe(false);
      await card.getByText('Technical detail').click();
      expect(await line.isVisible()).toBe(true);
      // A failed variation cannot be picked for a download.
      expect(await card.getByRole('checkbox').count()).toBe(0);
    } finally {
      await page.unroute(`**/api/jobs/${job.id}`);
      await page.unroute('**/api/jobs/*/events');
    }
  });

  it('ran every screen above without a script error', () => {
    expect(pageErrors).toEqual([]);
  });
});
