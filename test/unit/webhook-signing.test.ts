import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/jobs/webhook-dispatcher.js';
import { signWebhook, webhookHeaders } from '../../src/jobs/webhook-signature.js';

describe('webhook signatures', () => {
  it("match the Standard Webhooks spec's own example (a whsec_ secret is its decoded bytes)", () => {
    expect(
      signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('cover the id, the timestamp and the body', () => {
    const base = signWebhook('a-plain-secret-of-24-chars', 'msg_1', 100, '{}');
    expect(signWebhook('a-plain-secret-of-24-chars', 'msg_2', 100, '{}')).not.toBe(base);
    expect(signWebhook('a-plain-secret-of-24-chars', 'msg_1', 101, '{}')).not.toBe(base);
    expect(signWebhook('a-plain-secret-of-24-chars', 'msg_1', 100, '{ }')).not.toBe(base);
    expect(webhookHeaders('a-plain-secret-of-24-chars', 'msg_1', 100, '{}')).toEqual({
      'content-type': 'application/json',
      'user-agent': 'vidvar-webhooks',
      'webhook-id': 'msg_1',
      'webhook-timestamp': '100',
      'webhook-signature': base,
    });
  });
});

describe('webhook retries', () => {
  it('wait 4× longer each time from the first delay, at most 8 h', () => {
    const minutes = [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(30_000, n) / 60_000);
    expect(minutes).toEqual([0.5, 2, 8, 32, 128, 480, 480]);
  });
});
