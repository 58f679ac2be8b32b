import { afterAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import { createJobFromFiles } from '../support/http-client.js';
import { signedInServerForFile } from '../support/server.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/**
 * A server as deployed (WEBHOOK_ALLOW_PRIVATE unset): a webhook that points inside is refused with a
 * 400 naming the field, before any job or file exists; and a server without WEBHOOK_SECRET takes none.
 */
const server = await signedInServerForFile({
  work: false,
  env: { WEBHOOK_SECRET: 'a-test-secret-of-enough-length' },
});
const unsigned = await signedInServerForFile({ work: false });
// A live receiver on loopback: refused like the rest, and it must never hear from the server.
const receiver = await startWebhookReceiver();
afterAll(() => receiver.close());

const inside = [
  receiver.url,
  'http://127.0.0.1:9/hook',
  'http://localhost/hook',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://0.0.0.0/',
  'http://[::]/',
  'http://169.254.169.254/latest/meta-data/',
  'http://10.1.2.3/',
  'http://172.20.0.1/',
  'http://192.168.1.10/',
  'http://100.64.0.1/',
  'https://[fd00::1]/',
  'https://[fe80::1]/',
];

describe('webhook targets', () => {
  it('refuses private, loopback and link-local targets without WEBHOOK_ALLOW_PRIVATE, leaving nothing', async () => {
    for (const webhookUrl of inside) {
      const res = await createJobFromFiles(server, [{ path: clip({ duration: 1 }), name: 'a.mp4' }], {
        count: '1',
        intensity: 'subtle',
        webhookUrl,
      });
      expect(res.status, webhookUrl).toBe(400);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code, webhookUrl).toBe('invalid_webhook_url');
      expect(body.message, webhookUrl).toMatch(
        /^webhookUrl: points to a private, loopback or link-local address/,
      );
    }
    expect(server.dataFiles().filter((f) => !f.startsWith('tus'))).toEqual([]);
    const jobs = (await (await server.api('/api/jobs')).json()) as { jobs: JobView[] };
    expect(jobs.jobs).toEqual([]);
    expect(receiver.received).toEqual([]);
  });

  it('refuses any webhook when the server has no WEBHOOK_SECRET to sign with', async () => {
    const res = await createJobFromFiles(unsigned, [{ path: clip({ duration: 1 }), name: 'a.mp4' }], {
      count: '1',
      intensity: 'subtle',
      webhookUrl: 'https://example.com/hook',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 'webhooks_not_configured',
      message: expect.stringMatching(/^webhookUrl: this server has no WEBHOOK_SECRET/),
    });
    expect(unsigned.dataFiles().filter((f) => !f.startsWith('tus'))).toEqual([]);
  });
});
