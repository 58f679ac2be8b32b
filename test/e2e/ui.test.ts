import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clip } from '../support/clips.js';
import type { VidvarProcess } from '../support/server-process.js';
import { launchBrowser } from './browser.js';
import { crashAndRestart, startWebServer, stopWebServer } from './web-server.js';
import { extractZip, probeVideo, readJson } from './zip-check.js';

const PASSWORD = 'e2e-team-password';
/** Link imports in these tests come from a server on loopback. */
const SERVER_ENV = { WEBHOOK_ALLOW_PRIVATE: 'true' };
const LONG = 180_000;

let server: VidvarProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

function video(name: string, file: string) {
  return { name, mimeType: 'video/mp4', buffer: readFileSync(file) };
}

async function progressOf(name: string): Promise<number> {
  return Number(await page.getByRole('progressbar', { name, exact: true }).getAttribute('aria-valuenow'));
}

/** A batch made the way a script would (multipart), with the browser's session cookie. */
async function createJobViaApi(name: string, count: number, duration: number): Promise<{ id: string }> {
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const form = new FormData();
  form.append('count', String(count));
  form.append('intensity', 'medium');
  form.append('files', new Blob([readFileSync(clip({ duration }))], { type: 'video/mp4' }), name);
  const res = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { cookie }, body: form });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

/** A file server on loopback for "Paste a link" (the vidvar below may fetch from loopback: tests only). */
const linkedVideo = readFileSync(clip({ duration: 1 }));
const files = createServer((req, res) => {
  if (req.url === '/ads/linked.mp4') {
    res
      .writeHead(200, { 'content-type': 'video/mp4', 'content-length': linkedVideo.length })
      .end(linkedVideo);
  } else {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Not a video</title>');
  }
});

beforeAll(async () => {
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  server = await startWebServer(PASSWORD, SERVER_ENV);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  files.closeAllConnections();
  files.close();
  await browser?.close();
  if (server) await stopWebServer(server);
});

describe('vidvar in a browser', () => {
  it('says when the password is wrong, then signs in and lands on the route it was asked for', async () => {
    await page.goto(`${server.url}/#/jobs`);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong password' }).waitFor();

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/jobs');
  });

  it('turns two uploaded clips into 2 variations each and downloads all four in one ZIP', async () => {
    await page.getByRole('link', { name: 'New batch', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'New batch' }).waitFor();
    await page
      .getByLabel('Choose videos')
      .setInputFiles([
        video('summer-sale.mp4', clip({ duration: 2 })),
        video('new-flavour.mp4', clip({ duration: 2, source: 'smptehdbars' })),
      ]);
    await page.getByLabel('Variations per video').fill('2');
    await page.getByRole('radio', { name: 'Strong' }).check();
    // Disabled until both uploads are admitted; click() waits for that.
    await page.getByRole('button', { name: 'Create variations' }).click();

    await page.waitForURL(/#\/jobs\/[^/]+$/);
    const jobId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
    // Named after the first file and the day, as the form proposed.
    await page.getByRole('heading', { level: 1, name: 'summer-sale 20' }).waitFor();
    await page.getByRole('progressbar', { name: 'Batch progress' }).waitFor();
    await page.getByText('All 4 variations are ready.').waitFor({ timeout: LONG });
    expect(await progressOf('Batch progress')).toBe(100);
    expect(await progressOf('Progress of summer-sale.mp4')).toBe(100);

    // The contact sheet: one loaded thumbnail per variation, each with what changed.
    const plays = page.getByRole('button', { name: /^Play / });
    expect(await plays.count()).toBe(4);
    await page.waitForFunction(() => {
      const images = [...document.querySelectorAll<HTMLImageElement>('.contact-sheet .output__play img')];
      return images.length === 4 && images.every((img) => img.complete && img.naturalWidth > 0);
    });
    const changes = page.getByRole('list', { name: /^What changed in / });
    expect(await changes.count()).toBe(4);
    expect(((await changes.first().textContent()) ?? '').trim().length).toBeGreaterThan(0);

    // Per variation, how far it is from its original in vPDQ, in one plain line; the "?" says what that is.
    const lines = page.getByTestId('vpdq-line');
    expect(await lines.count()).toBe(4);
    for (const text of await lines.allTextContents()) {
      expect(text).toMatch(
        /^\d+ of 256 bits from the original in Meta's open video matcher \(a match needs 31 or fewer\)/,
      );
    }
    await page.getByTestId('distinct-badge').waitFor();
    await page.getByLabel("What is Meta's open video matcher?").click();
    await page.getByText('No platform publishes how it de-duplicates ads').waitFor();

    // One variation plays inline.
    await plays.first().click();
    await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 2);

    const zipLink = page.getByRole('link', { name: 'Download ZIP', exact: true });
    expect(await zipLink.getAttribute('href')).toBe(`/api/jobs/${jobId}/download`);
    const [download] = await Promise.all([page.waitForEvent('download'), zipLink.click()]);
    const zipPath = path.join(os.tmpdir(), `vidvar-e2e-${jobId}.zip`);
    await download.saveAs(zipPath);
    const { dir, files } = extractZip(zipPath);
    const videos = files.filter((f) => f.endsWith('.mp4'));
    expect(videos).toHaveLength(4);
    expect(files).toContain('manifest.json');
    for (const file of videos) {
      const streams = probeVideo(path.join(dir, file));
      expect(streams.video).toBe('h264');
      expect(streams.durationSec).toBeGreaterThan(1);
    }
    const manifest = readJson(path.join(dir, 'manifest.json')) as { outputs: unknown[] };
    expect(manifest.outputs).toHaveLength(4);
    rmSync(dir, { recursive: true, force: true });
    rmSync(zipPath, { force: true });

    // The jobs list shows the batch as done, with a thumbnail.
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const row = page.getByRole('listitem').filter({ hasText: 'summer-sale.mp4, new-flavour.mp4' });
    await row.getByText('Done', { exact: true }).waitFor();
    expect(await row.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.job-row__thumb img');
      return img?.complete === true && img.naturalWidth > 0;
    });
  });

  it('shows why a text file was refused, next to the file', async () => {
    await page.getByRole('link', { name: 'New batch', exact: true }).click();
    await page
      .getByLabel('Choose videos')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Call me Monday.\n') });
    const item = page.getByRole('listitem').filter({ hasText: 'notes.txt' }).locator('.upload-list__detail');
    await page.locator('.upload-list__item--refused').waitFor();
    const reason = (await item.textContent()) ?? '';
    expect(reason).toMatch(/notes\.txt .*video/i);
    expect(reason).not.toMatch(/tus|response code/i);
    expect(await page.getByRole('button', { name: 'Create variations' }).isDisabled()).toBe(true);
    await page.getByText('None of these files can be used').waitFor();
  });

  it('shows the live state of a batch after a reload in the middle of it', async () => {
    const job = await createJobViaApi('long-cut.mp4', 6, 4);

    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.getByRole('heading', { level: 1, name: 'long-cut' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'long-cut' }).waitFor();
    await page.getByRole('progressbar', { name: 'Batch progress' }).waitFor();
    await page.getByText(/^Updated /).waitFor();
    // Still following after the reload: it reaches the end without another reload.
    await page.getByText('All 6 variations are ready.').waitFor({ timeout: LONG });
    expect(await progressOf('Batch progress')).toBe(100);

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete batch' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'The batch and its files were deleted.' }).waitFor();
    expect(await page.getByRole('listitem').filter({ hasText: 'long-cut.mp4' }).count()).toBe(0);
  });

  it('shows progress in the tab title, and one calm state while the server is down', async () => {
    const job = await createJobViaApi('honest.mp4', 6, 4);
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.waitForFunction(() => /^\d+% · honest \d{4}-\d\d-\d\d$/.test(document.title), undefined, {
      timeout: LONG,
    });

    // The server dies mid-batch (a crash or a deploy) and comes back on the same address.
    const status = page.locator('.summary-card__status');
    server = await crashAndRestart(server, PASSWORD, SERVER_ENV, async () => {
      await status
        .filter({ hasText: 'Reconnecting… your batch continues on the server.' })
        .waitFor({ timeout: LONG });
      expect(await page.getByText(/^Updated /).count()).toBe(0);
    });
    await page.getByText('All 6 variations are ready.').waitFor({ timeout: LONG });
    expect(await page.title()).toMatch(/^honest \d{4}-\d\d-\d\d · vidvar$/);
  }, 240_000);

  it('stops a batch and keeps the variations that were finished', async () => {
    // A quick source and a slow one: the quick one's variations finish while the other renders.
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const form = new FormData();
    form.append('count', '2');
    form.append('intensity', 'strong');
    form.append(
      'files',
      new Blob([readFileSync(clip({ duration: 1 }))], { type: 'video/mp4' }),
      'stop-quick.mp4',
    );
    const slow = clip({ duration: 10, width: 480, height: 854 });
    form.append('files', new Blob([readFileSync(slow)], { type: 'video/mp4' }), 'stop-slow.mp4');
    const res = await fetch(`${server.url}/api/jobs`, { method: 'POST', headers: { cookie }, body: form });
    const job = (await res.json()) as { id: string };
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.locator('.output--done').first().waitFor({ timeout: LONG });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByRole('button', { name: 'Stop batch' }).click();
    await page.locator('.screen__head .badge').filter({ hasText: 'Stopped' }).waitFor();
    await page.getByRole('link', { name: 'Download ZIP' }).waitFor();
    expect(await page.locator('.output--done').count()).toBeGreaterThan(0);
  });

  it('keeps following a batch by polling when live events are blocked', async () => {
    const job = await createJobViaApi('no-stream.mp4', 2, 2);
    await page.route('**/api/jobs/*/events', (route) => route.abort('connectionfailed'));
    try {
      await page.goto(`${server.url}/#/jobs/${job.id}`);
      await page.getByRole('heading', { level: 1, name: 'no-stream' }).waitFor();
      await page.getByText('All 2 variations are ready.').waitFor({ timeout: LONG });
      await page.getByText(/^Updated /).waitFor();
    } finally {
      await page.unroute('**/api/jobs/*/events');
    }
  });

  it('shows a banner while the server is unreachable, and recovers by itself', async () => {
    await page.route('**/api/**', (route) => route.abort('internetdisconnected'));
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const banner = page.getByRole('alert').filter({ hasText: 'Can’t reach the server' });
    await banner.waitFor();
    await page.unroute('**/api/**');
    await banner.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: /no-stream\.mp4/ }).waitFor();
  });

  it('sends a lapsed session to sign-in and then back to the same batch', async () => {
    const job = await createJobViaApi('lapsed.mp4', 1, 1);
    await page.goto(`${server.url}/#/jobs/${job.id}`);
    await page.getByText('The variation is ready.').waitFor({ timeout: LONG });
    await context.clearCookies();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete batch' }).click();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'lapsed' }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/jobs/${job.id}`);
  });

  it('creates an API token in Settings, shows it once, and a script can use it until it is revoked', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Monday refresh');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByLabel('New API token');
    await secret.waitFor();
    const token = await secret.inputValue();
    expect(token).toMatch(/^vv_/);
    const jobs = () => fetch(`${server.url}/api/jobs`, { headers: { authorization: `Bearer ${token}` } });
    expect((await jobs()).status).toBe(200);

    const row = page
      .getByRole('list', { name: 'API tokens' })
      .getByRole('listitem')
      .filter({ hasText: 'Monday refresh' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Revoke token' }).click();
    await row.waitFor({ state: 'detached' });
    await secret.waitFor({ state: 'detached' });
    expect((await jobs()).status).toBe(401);
    // Shown once: after a reload the list names the token's fate, never the token.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(await page.content()).not.toContain(token);
  });

  it('adds a video from a pasted link to the batch, and says why a link that is not a video was refused', async () => {
    const base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    await page.getByRole('link', { name: 'New batch', exact: true }).click();
    const field = page.getByLabel('Paste a link');
    await field.fill(`${base}/ads/linked.mp4`);
    await field.press('Enter');
    await page.locator('.upload-list__item--ready').filter({ hasText: 'linked.mp4' }).waitFor();
    expect(await page.locator('.upload-list__item').filter({ hasText: 'linked.mp4' }).textContent()).toMatch(
      /Ready · .*320×568/,
    );
    await field.fill(`${base}/share/page`);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page
      .locator('.upload-list__item--refused')
      .filter({ hasText: 'That link did not lead to a video file.' })
      .waitFor();
    await field.fill('not a link');
    await field.press('Enter');
    await page.getByText('Paste a link that starts with http:// or https://.').waitFor();
    expect(await page.getByRole('button', { name: 'Create variations' }).isDisabled()).toBe(false);
  });

  it('ran every screen above without a script error', () => {
    expect(pageErrors).toEqual([]);
  });
});
