import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's headless Chromium, with everything that would phone home switched off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/lib/chromium/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens `route` (a hash route such as `new` or `jobs`), signs in on the way, and waits for that screen. */
export async function signInAt(
  page: Page,
  url: string,
  password: string,
  route: 'new' | 'jobs',
): Promise<void> {
  await page.goto(`${url}/#/${route}`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: route === 'new' ? 'New batch' : 'Jobs' }).waitFor();
}
