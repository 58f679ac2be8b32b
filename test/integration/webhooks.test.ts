import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import { createJobFromFiles, tusUpload, waitForJob } from '../support/http-client.js';
import { signedInServerForFile } from '../support/server.js';
import { type ReceivedRequest, startWebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Webhooks on the real server, delivered to a real HTTP server on loopback (allowed here only with
 * WEBHOOK_ALLOW_PRIVATE=true): signed events, retries after 500s, the attempts on the job.
 */
const SECRET = 'a-test-secret-of-enough-length';
const server = await signedInServerForFile({
  env: { WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_FIRST_RETRY_SECONDS: '0.2' },
});
const receiver = await startWebhookReceiver();
afterAll(() => receiver.close());

/** Verification as the README shows it to receivers: HMAC-SHA256 over id.timestamp.body, base64. */
function verify(request: ReceivedRequest, secret: string): boolean {
  const id = request.headers['webhook-id'] as string;
  const timestamp = request.headers['webhook-timestamp'] as string;
  const expected = createHmac('sha256', secret).update(`${id}.${timestamp}.${request.body}`).digest();
  return String(request.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

async function uploadClip(): Promise<string> {
  const { create, patch } = await tusUpload(server, readFileSync(clip({ duration: 1 })), 'ad.mp4');
  expect(patch?.status).toBe(204);
  return (create.headers.get('location') as string).split('/').pop() as string;
}

function postJob(body: Record<string, unknown>): Promise<Response> {
  return server.api('/api/jobs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('webhooks', () => {
  it('sends a signed event when the batch is done, with the metadata and absolute links', async () => {
    receiver.answer(200);
    const before = receiver.received.length;
    const upload = await uploadClip();
    const metadata = { campaign: 'spring', ids: [1, 2, 3], nested: { ok: true } };
    const res = await postJob({
      uploads: [upload],
      count: 1,
      intensity: 'subtle',
      webhookUrl: receiver.url,
      metadata,
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    expect(created.webhook).toEqual({ url: receiver.url, deliveries: [] });

    const [event] = (await receiver.waitFor(before + 1)).slice(before);
    expect(event?.method).toBe('POST');
    expect(event?.path).toBe('/hooks/vidvar');
    expect(event?.headers['content-type']).toBe('application/json');
    expect(event?.headers['webhook-id']).toMatch(/^msg_[A-Za-z0-9_-]+$/);
    expect(Math.abs(Number(event?.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(verify(event as ReceivedRequest, SECRET)).toBe(true);
    expect(verify(event as ReceivedRequest, 'another-secret-of-enough-length')).toBe(false);
    expect(verify({ ...(event as ReceivedRequest), body: `${event?.body} ` }, SECRET)).toBe(false);

    const payload = JSON.parse(event?.body as string);
    const job = (await (await server.api(`/api/jobs/${created.id}`)).json()) as JobView;
    expect(payload).toMatchObject({
      type: 'job.done',
      data: {
        jobId: created.id,
        status: 'done',
        error: null,
        counts: { outputs: 1, done: 1, failed: 0, canceled: 0 },
        metadata,
        links: {
          job: `${server.url}/api/jobs/${created.id}`,
          download: `${server.url}/api/jobs/${created.id}/download`,
          outputs: [
            {
              id: job.outputs[0]?.id,
              status: 'done',
              url: `${server.url}/api/jobs/${created.id}/outputs/${job.outputs[0]?.id}`,
            },
          ],
        },
      },
    });
    // The link works for whoever holds a credential.
    expect((await server.api(new URL(payload.data.links.download).pathname)).status).toBe(200);

    const seen = await waitForJob(server, created.id, (j) => j.webhook?.deliveries[0]?.state === 'delivered');
    expect(seen.webhook?.deliveries).toEqual([
      {
        id: event?.headers['webhook-id'],
        event: 'job.done',
        state: 'delivered',
        nextAttemptAt: null,
        attempts: [{ at: expect.any(String), statusCode: 200, error: null }],
      },
    ]);
  });

  it('retries after 500s with the same id, and shows every attempt on the job', async () => {
    receiver.answer(500, 503, 204);
    const before = receiver.received.length;
    const res = await createJobFromFiles(server, [{ path: clip({ duration: 1 }), name: 'promo.mp4' }], {
      count: '1',
      intensity: 'subtle',
      webhookUrl: receiver.url,
      metadata: JSON.stringify({ ref: 'multipart' }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    const events = (await receiver.waitFor(before + 3)).slice(before);
    expect(events.map((e) => e.answeredWith)).toEqual([500, 503, 204]);
    expect(new Set(events.map((e) => e.headers['webhook-id'])).size).toBe(1);
    for (const event of events) expect(verify(event, SECRET)).toBe(true);
    expect(JSON.parse(events[0]?.body as string).data.metadata).toEqual({ ref: 'multipart' });

    const job = await waitForJob(server, created.id, (j) => j.webhook?.deliveries[0]?.state === 'delivered');
    expect(job.webhook?.deliveries[0]?.attempts.map((a) => a.statusCode)).toEqual([500, 503, 204]);
  });

  it('reports a canceled batch, whose row is gone, with its metadata', async () => {
    receiver.answer(200);
    const before = receiver.received.length;
    const upload = await uploadClip();
    await server.worker.stop({ graceMs: 0 });
    const res = await postJob({
      uploads: [upload],
      count: 2,
      intensity: 'subtle',
      webhookUrl: receiver.url,
      metadata: { why: 'cancel' },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    expect((await server.api(`/api/jobs/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    server.worker.start();
    const [event] = (await receiver.waitFor(before + 1)).slice(before);
    expect(verify(event as ReceivedRequest, SECRET)).toBe(true);
    expect(JSON.parse(event?.body as string)).toMatchObject({
      type: 'job.canceled',
      data: {
        jobId: created.id,
        status: 'canceled',
        metadata: { why: 'cancel' },
        counts: { outputs: 2, canceled: 2 },
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.length).toBe(before + 1);
  });

  it('records a target that does not answer as an error and keeps trying', async () => {
    const gone = await startWebhookReceiver();
    const url = gone.url;
    await gone.close();
    const upload = await uploadClip();
    const res = await postJob({ uploads: [upload], count: 1, intensity: 'subtle', webhookUrl: url });
    expect(res.status).toBe(201);
    const created = (await res.json()) as JobView;
    const job = await waitForJob(
      server,
      created.id,
      (j) => (j.webhook?.deliveries[0]?.attempts.length ?? 0) >= 2,
    );
    const delivery = job.webhook?.deliveries[0];
    expect(delivery?.state).toBe('pending');
    expect(delivery?.nextAttemptAt).toEqual(expect.any(String));
    expect(delivery?.attempts[0]).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it('refuses metadata over 4 KB with a 400 naming the field, as JSON and as multipart, leaving nothing', async () => {
    const upload = await uploadClip();
    const big = { text: 'x'.repeat(4096) };
    const jobsBefore = ((await (await server.api('/api/jobs')).json()) as { jobs: unknown[] }).jobs.length;
    const json = await postJob({
      uploads: [upload],
      count: 1,
      intensity: 'subtle',
      webhookUrl: receiver.url,
      metadata: big,
    });
    expect(json.status).toBe(400);
    expect((await json.json()).message).toMatch(/\bmetadata: must be at most 4 KB/);

    const filesBefore = server.dataFiles();
    const multipart = await createJobFromFiles(server, [{ path: clip({ duration: 1 }), name: 'a.mp4' }], {
      count: '1',
      intensity: 'subtle',
      webhookUrl: receiver.url,
      metadata: JSON.stringify(big),
    });
    expect(multipart.status).toBe(400);
    expect((await multipart.json()).message).toMatch(/\bmetadata: must be at most 4 KB/);
    const notJson = await createJobFromFiles(server, [{ path: clip({ duration: 1 }), name: 'a.mp4' }], {
      count: '1',
      intensity: 'subtle',
      metadata: 'not json',
    });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).message).toMatch(/\bmetadata: must be a JSON object/);
    expect(server.dataFiles()).toEqual(filesBefore);
    const jobsAfter = ((await (await server.api('/api/jobs')).json()) as { jobs: unknown[] }).jobs.length;
    expect(jobsAfter).toBe(jobsBefore);
    // The upload was not used up by the refused request.
    expect(
      (await postJob({ uploads: [upload], count: 1, intensity: 'subtle', metadata: { ok: 1 } })).status,
    ).toBe(201);
  });

  it('refuses a webhook address that is not http(s), naming the field', async () => {
    const upload = await uploadClip();
    for (const webhookUrl of [
      'ftp://example.com/hook',
      'file:///etc/passwd',
      'not a url',
      'javascript:alert(1)',
    ]) {
      const res = await postJob({ uploads: [upload], count: 1, intensity: 'subtle', webhookUrl });
      expect(res.status, webhookUrl).toBe(400);
      expect((await res.json()).message, webhookUrl).toMatch(/\bwebhookUrl: /);
    }
  });
});
