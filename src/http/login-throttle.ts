/**
 * Slows password guessing without locking the team out. There is one shared password, so the limits
 * work at three levels, each bounding guesses per hour:
 * - the device (a cookie set on the first visit): a few free tries, then a delay that doubles with
 *   every failure up to 30 s;
 * - the address: the same, with more free tries (an office shares one address);
 * - the whole deployment: a leaky bucket of failures, so an attacker rotating addresses still gets a
 *   bounded number of guesses, and every untrusted client slows down while it is full.
 * A device that signed in before is trusted: its address's and the deployment's failures do not slow
 * it, so one person's typos (or an attack) never keep a teammate out for long.
 * A refusal is an answer with a wait (429 + Retry-After), never a held connection.
 */
export interface LoginClient {
  address: string;
  /** The device cookie's value, when the browser sent one. */
  device?: string;
}

export interface ThrottleLimits {
  deviceFreeFailures: number;
  addressFreeFailures: number;
  /** The longest wait a delay grows to. */
  maxDelayMs: number;
  deviceFailuresPerHour: number;
  addressFailuresPerHour: number;
  /** Failures across all clients the deployment absorbs at once before everyone untrusted waits. */
  globalBurst: number;
  /** Rate at which the deployment-wide bucket drains. */
  globalFailuresPerHour: number;
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  deviceFreeFailures: 5,
  addressFreeFailures: 10,
  maxDelayMs: 30_000,
  deviceFailuresPerHour: 60,
  addressFailuresPerHour: 300,
  globalBurst: 100,
  globalFailuresPerHour: 600,
};

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

const HOUR = 3_600_000;
const FIRST_DELAY_MS = 1000;
/** Bounds memory whatever an attacker invents: the least recently seen keys are forgotten first. */
const MAX_KEYS = 20_000;

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #trusted = new Map<string, true>();
  #bucketLevel = 0;
  #bucketAt = 0;

  constructor(private readonly limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) {}

  /** Whether this client may try a password now; the caller checks before comparing. */
  check(client: LoginClient, now: number): ThrottleVerdict {
    const l = this.limits;
    const waits = [this.#wait(deviceKey(client), l.deviceFreeFailures, l.deviceFailuresPerHour, now)];
    if (!this.#isTrusted(client)) {
      waits.push(this.#wait(addressKey(client), l.addressFreeFailures, l.addressFailuresPerHour, now));
      waits.push(this.#globalWait(now));
    }
    const retryAfterMs = Math.max(...waits);
    return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true };
  }

  recordFailure(client: LoginClient, now: number): void {
    for (const key of [deviceKey(client), addressKey(client)]) {
      if (key === null) continue;
      const list = this.#recent(key, now);
      list.push(now);
      this.#remember(this.#failures, key, list);
    }
    this.#drain(now);
    this.#bucketLevel += 1;
  }

  /** A right password: the device is trusted from now on and its failures are forgotten. */
  recordSuccess(client: LoginClient): void {
    const key = deviceKey(client);
    if (key === null) return;
    this.#failures.delete(key);
    this.#remember(this.#trusted, key, true);
  }

  #isTrusted(client: LoginClient): boolean {
    const key = deviceKey(client);
    return key !== null && this.#trusted.has(key);
  }

  /** ms until this key may try again: its progressive delay, or the hour's cap. */
  #wait(key: string | null, free: number, perHour: number, now: number): number {
    if (key === null) return 0;
    const list = this.#recent(key, now);
    if (list.length >= perHour) return (list[list.length - perHour] as number) + HOUR - now;
    if (list.length < free) return 0;
    const delay = Math.min(this.limits.maxDelayMs, FIRST_DELAY_MS * 2 ** (list.length - free));
    return Math.max(0, (list[list.length - 1] as number) + delay - now);
  }

  #globalWait(now: number): number {
    this.#drain(now);
    const overflow = this.#bucketLevel - this.limits.globalBurst + 1;
    return overflow > 0 ? Math.ceil((overflow * HOUR) / this.limits.globalFailuresPerHour) : 0;
  }

  #drain(now: number): void {
    const drained = ((now - this.#bucketAt) * this.limits.globalFailuresPerHour) / HOUR;
    this.#bucketLevel = Math.max(0, this.#bucketLevel - drained);
    this.#bucketAt = now;
  }

  #recent(key: string, now: number): number[] {
    const list = (this.#failures.get(key) ?? []).filter((t) => now - t < HOUR);
    if (list.length === 0) this.#failures.delete(key);
    return list;
  }

  #remember<T>(map: Map<string, T>, key: string, value: T): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_KEYS) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  }
}

const deviceKey = (client: LoginClient) => (client.device ? `device:${client.device}` : null);
const addressKey = (client: LoginClient) => `address:${client.address}`;
