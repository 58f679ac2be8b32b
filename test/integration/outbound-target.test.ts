import { afterAll, describe, expect, it } from 'vitest';
import { resolveTarget, TargetRefused } from '../../src/outbound/outbound-target.js';
import { sendPinned } from '../../src/outbound/pinned-request.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Where outbound requests may go, on real sockets: names are resolved once and the connection goes
 * to the address that was checked, whatever the name would resolve to later.
 */
const receiver = await startWebhookReceiver();
afterAll(() => receiver.close());
const port = new URL(receiver.url).port;

async function refusal(url: string, allowPrivate = false): Promise<string | null> {
  try {
    await resolveTarget(url, { allowPrivate });
    return null;
  } catch (error) {
    if (error instanceof TargetRefused) return error.reason;
    throw error;
  }
}

describe('outbound targets', () => {
  it('refuses private, loopback and link-local targets, by address or by name', async () => {
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0.0.0.0/',
      'http://[::]/',
      'http://2130706433/', // 127.0.0.1 as one number
      'http://0x7f.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://172.16.5.4/',
      'http://192.168.0.1/',
      'http://100.64.1.1/',
      'http://[fc00::1]/',
      'http://[fe80::1]/',
    ]) {
      expect(await refusal(url), url).toBe('private');
    }
  });

  it('refuses what is not http(s), or hides a user name in the address', async () => {
    for (const url of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://x/', 'not a url']) {
      expect(await refusal(url), url).toBe('scheme');
    }
    // Refused before any name is resolved: these tests send nothing beyond loopback.
    expect(await refusal('http://user:pass@example.com/')).toBe('credentials');
  });

  it('allows loopback only when private targets are allowed', async () => {
    expect(await refusal(`http://localhost:${port}/`, true)).toBeNull();
  });

  it('connects to the address that was checked, keeping the name in the Host header', async () => {
    // A name that resolves nowhere: the request can only reach the receiver through the pinned address.
    const target = {
      url: new URL(`http://rebinding.invalid:${port}/hook`),
      address: '127.0.0.1',
      family: 4 as const,
    };
    const before = receiver.received.length;
    const status = await sendPinned(target, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
      connectTimeoutMs: 5000,
      totalTimeoutMs: 10000,
    });
    expect(status).toBe(200);
    expect(receiver.received[before]?.headers.host).toBe(`rebinding.invalid:${port}`);
  });

  it('does not follow redirects', async () => {
    receiver.answer(302);
    const target = await resolveTarget(receiver.url, { allowPrivate: true });
    const status = await sendPinned(target, {
      method: 'POST',
      body: '{}',
      connectTimeoutMs: 5000,
      totalTimeoutMs: 10000,
    });
    expect(status).toBe(302);
    receiver.answer(200);
  });
});
