import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from '../support/server.js';

/**
 * Password guessing on the real server with a controlled clock. Forwarded addresses are whatever the
 * client wants them to be unless a proxy is trusted; a device cookie tells teammates behind one
 * address apart; delays grow instead of locking anyone out for long.
 */
let server: TestServer | null = null;
let now = Date.now();
const clock = () => now;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  now = Date.now();
  server = await startTestServer({ work: false, clock, env });
  return server;
}

interface Attempt {
  status: number;
  retryAfterS: number;
  /** The device cookie the server set, if it set one. */
  device: string | null;
}

async function attempt(
  target: TestServer,
  password: string,
  options: { forwardedFor?: string; device?: string } = {},
): Promise<Attempt> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.forwardedFor) headers['x-forwarded-for'] = options.forwardedFor;
  if (options.device) headers.cookie = `vidvar_device=${options.device}`;
  const res = await fetch(`${target.url}/api/session`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ password }),
  });
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (res.status === 429) {
    expect(body.code).toBe('too_many_attempts');
    expect(body.message).toMatch(/Try again in \d+ (second|minute)/);
  }
  const device = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('vidvar_device='))
    ?.split(';')[0]
    ?.slice('vidvar_device='.length);
  return {
    status: res.status,
    retryAfterS: Number(res.headers.get('retry-after') ?? 0),
    device: device ?? null,
  };
}

/** A browser's first visit: GET /api/session hands out the device cookie. */
async function newDevice(target: TestServer, forwardedFor?: string): Promise<string> {
  const res = await fetch(`${target.url}/api/session`, {
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
  expect(res.status).toBe(401);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('vidvar_device='));
  expect(cookie).toMatch(/HttpOnly/i);
  return (cookie as string).split(';')[0]?.slice('vidvar_device='.length) as string;
}

const randomAddress = (i: number) => `198.51.${(i >> 8) & 255}.${i & 255}`;

describe('by default no proxy is trusted', () => {
  it('invented X-Forwarded-For addresses all count as the one real address', async () => {
    const target = await start();
    const answers: number[] = [];
    for (let i = 0; i < 40; i++) {
      answers.push((await attempt(target, `guess ${i}`, { forwardedFor: randomAddress(i) })).status);
    }
    expect(answers.filter((s) => s === 401)).toHaveLength(10);
    expect(answers.slice(10).every((s) => s === 429)).toBe(true);
  });

  it('slows an address down instead of locking it: a teammate gets in within 30 s', async () => {
    const target = await start();
    const typist = await newDevice(target);
    for (let i = 0; i < 20; i++) {
      const a = await attempt(target, 'wrong', { device: typist });
      if (a.status === 429) now += a.retryAfterS * 1000;
    }
    // Another browser in the same office, the right password.
    const teammate = await newDevice(target);
    const first = await attempt(target, TEST_PASSWORD, { device: teammate });
    const waitedS = first.status === 429 ? first.retryAfterS : 0;
    expect(waitedS).toBeLessThanOrEqual(30);
    now += waitedS * 1000;
    expect((await attempt(target, TEST_PASSWORD, { device: teammate })).status).toBe(204);
  });

  it('a device that signed in before is not slowed by its address', async () => {
    const target = await start();
    const trusted = await newDevice(target);
    expect((await attempt(target, TEST_PASSWORD, { device: trusted })).status).toBe(204);
    for (let i = 0; i < 30; i++) await attempt(target, 'wrong');
    expect((await attempt(target, TEST_PASSWORD)).status).toBe(429);
    expect((await attempt(target, TEST_PASSWORD, { device: trusted })).status).toBe(204);
  });

  it('bounds the guesses of one client per hour, however patiently it waits', async () => {
    const target = await start();
    const device = await newDevice(target);
    const end = now + 3_600_000;
    let failures = 0;
    let refusals = 0;
    while (now < end) {
      const a = await attempt(target, 'wrong', { device });
      if (a.status === 401) failures++;
      else {
        refusals++;
        now += a.retryAfterS * 1000;
      }
    }
    expect(failures).toBeGreaterThan(10);
    expect(failures).toBeLessThanOrEqual(60);
    expect(refusals).toBeGreaterThan(0);
  });
});

describe('behind a trusted proxy (TRUST_PROXY=1)', () => {
  it('takes the address the proxy appended, not what the client wrote before it', async () => {
    const target = await start({ TRUST_PROXY: '1' });
    const answers: number[] = [];
    for (let i = 0; i < 20; i++) {
      const a = await attempt(target, 'wrong', { forwardedFor: `${randomAddress(i)}, 203.0.113.7` });
      answers.push(a.status);
    }
    expect(answers.filter((s) => s === 401)).toHaveLength(10);
    expect(answers.slice(10).every((s) => s === 429)).toBe(true);
    // Another client behind the same proxy is not affected.
    expect((await attempt(target, TEST_PASSWORD, { forwardedFor: '203.0.113.8' })).status).toBe(204);
  });

  it('marks cookies Secure when the proxy says the browser used HTTPS', async () => {
    const target = await start({ TRUST_PROXY: '1' });
    const res = await fetch(`${target.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ password: TEST_PASSWORD }),
    });
    expect(res.status).toBe(204);
    for (const cookie of res.headers.getSetCookie()) expect(cookie).toMatch(/;\s*Secure/i);
  });

  it('rotating addresses still meets a deployment-wide budget; trusted devices still get in', async () => {
    const target = await start({ TRUST_PROXY: '1' });
    const trusted = await newDevice(target, '203.0.113.50');
    expect(
      (await attempt(target, TEST_PASSWORD, { device: trusted, forwardedFor: '203.0.113.50' })).status,
    ).toBe(204);
    // Ten simulated minutes of guesses, every one from a new address and without cookies.
    const end = now + 600_000;
    let failures = 0;
    for (let i = 0; now < end; i++) {
      const a = await attempt(target, 'wrong', { forwardedFor: randomAddress(i) });
      if (a.status === 401) failures++;
      else now += Math.max(1, a.retryAfterS) * 1000;
    }
    // A burst of 100, then 600 an hour: about 200 in ten minutes, not thousands.
    expect(failures).toBeGreaterThanOrEqual(100);
    expect(failures).toBeLessThanOrEqual(210);
    // While the attack goes on, a newcomer waits for the bucket like everyone else…
    await attempt(target, 'wrong', { forwardedFor: '203.0.113.98' });
    const newcomer = await attempt(target, TEST_PASSWORD, { forwardedFor: '203.0.113.99' });
    expect(newcomer.status).toBe(429);
    expect(newcomer.retryAfterS).toBeLessThanOrEqual(30);
    // …and a device that signed in before walks in.
    expect(
      (await attempt(target, TEST_PASSWORD, { device: trusted, forwardedFor: '203.0.113.50' })).status,
    ).toBe(204);
  });
});

describe('several API processes sharing Redis', () => {
  let redis: RedisServer;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await redis.close();
  });

  it('count the same guesses: sent at once to two processes, one device gets its free tries once', async () => {
    now = Date.now();
    for (let i = 0; i < 2; i++) {
      servers.push(await startTestServer({ work: false, clock, env: { REDIS_URL: redis.url } }));
    }
    const [one, two] = servers as [TestServer, TestServer];
    const device = await newDevice(one);
    const guesses = Array.from({ length: 20 }, (_, i) =>
      attempt(i % 2 ? two : one, `guess ${i}`, { device }),
    );
    const answers = (await Promise.all(guesses)).map((a) => a.status);
    expect(answers.filter((s) => s === 401)).toHaveLength(5);
    expect(answers.filter((s) => s === 429)).toHaveLength(15);
    // Signed in on one process, trusted on both: the other lets it in once its own delay is over.
    now += 30_000;
    expect((await attempt(two, TEST_PASSWORD, { device })).status).toBe(204);
    const teammate = await newDevice(two);
    expect((await attempt(one, TEST_PASSWORD, { device: teammate })).status).toBe(204);
  });
});
