import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/http/schemas.js';
import { clip } from '../support/clips.js';
import { newDataDir } from '../support/data-dir.js';
import { waitForJob } from '../support/http-client.js';
import { startVidvar, type VidvarProcess } from '../support/server-process.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Deliveries are rows: an event that could not be delivered before vidvar stopped is sent by the next
 * process on the same DATA_DIR, with the same id, and the attempts of both processes stay on the job.
 */
const dataDir = newDataDir();
const receiver = await startWebhookReceiver();
const started: VidvarProcess[] = [];
afterAll(async () => {
  for (const proc of started) await proc.kill();
  await receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<VidvarProcess> {
  const proc = await startVidvar(dataDir, {
    env: {
      WEBHOOK_SECRET: 'a-test-secret-of-enough-length',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_FIRST_RETRY_SECONDS: '0.2',
    },
  });
  started.push(proc);
  await proc.signIn();
  return proc;
}

describe('webhook delivery across a restart', () => {
  it('is retried by the next process until the receiver takes it', async () => {
    receiver.answer(500);
    const first = await start();
    const res = await first.postJob([clip({ duration: 1 })], {
      count: '1',
      intensity: 'subtle',
      webhookUrl: receiver.url,
      metadata: JSON.stringify({ run: 'restart' }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as JobView;
    await receiver.waitFor(2);
    expect(await first.stop(30_000)).toMatchObject({ code: 0 });

    receiver.answer(200);
    const failedBefore = receiver.received.length;
    const second = await start();
    const received = await receiver.waitFor(failedBefore + 1, 60_000);
    const delivered = received.at(-1);
    expect(delivered?.answeredWith).toBe(200);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(JSON.parse(delivered?.body as string).data).toMatchObject({
      jobId: created.id,
      metadata: { run: 'restart' },
    });

    const job = await waitForJob(second, created.id, (j) => j.webhook?.deliveries[0]?.state === 'delivered');
    const codes = job.webhook?.deliveries[0]?.attempts.map((a) => a.statusCode) ?? [];
    expect(codes.at(-1)).toBe(200);
    expect(codes.slice(0, -1).every((code) => code === 500)).toBe(true);
    // An attempt cut short by the stop is not recorded (it was never answered as far as vidvar knows).
    expect(codes.length).toBeGreaterThanOrEqual(2);
  });
});
