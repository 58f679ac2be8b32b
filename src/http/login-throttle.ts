import { randomBytes } from 'node:crypto';

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
 * What it remembers lives in a ThrottleState: this process's memory on one machine, Redis when several
 * API processes share the deployment (redis-throttle-state.ts), so that all of them count together.
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

/** An attempt let through: say how the password compared once known. */
export type ThrottleAttempt =
  | { allowed: true; finish(right: boolean): Promise<void> }
  | { allowed: false; retryAfterMs: number };

/** The keys a client is counted under. */
export interface ThrottleKeys {
  device: string | null;
  address: string;
}

/** What the state knew of a client when its attempt began. */
export interface ThrottleSnapshot {
  /** Failure times in the last hour, oldest first. */
  device: number[];
  address: number[];
  trusted: boolean;
  /** The deployment's bucket of failures, drained to now. */
  bucket: number;
}

type Awaitable<T> = T | Promise<T>;

export interface ThrottleState {
  /**
   * In one step: what is known of these keys, and this attempt counted as a failure of each and of the
   * bucket, so that guesses sent at once (to any API process) each see the others.
   */
  begin(keys: ThrottleKeys, attempt: string, now: number): Awaitable<ThrottleSnapshot>;
  /** The attempt was refused, or its password was right: it is no failure after all. */
  withdraw(keys: ThrottleKeys, attempt: string): Awaitable<void>;
  /** A right password: the device is trusted from now on and its failures are forgotten. */
  trust(device: string): Awaitable<void>;
}

export const HOUR = 3_600_000;
const FIRST_DELAY_MS = 1000;

export class LoginThrottle {
  constructor(
    private readonly state: ThrottleState = new MemoryThrottleState(),
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS,
  ) {}

  /** Call before comparing the password; a refused attempt is not counted. */
  async attempt(client: LoginClient, now: number): Promise<ThrottleAttempt> {
    const keys = keysOf(client);
    // Names this attempt among the client's failures until the password is known (not a variation: no seed).
    const attempt = `${now}:${randomBytes(9).toString('base64url')}`;
    const known = await this.state.begin(keys, attempt, now);
    const verdict = this.verdict(known, keys, now);
    if (!verdict.allowed) {
      await this.state.withdraw(keys, attempt);
      return verdict;
    }
    return {
      allowed: true,
      finish: async (right) => {
        if (!right) return;
        await this.state.withdraw(keys, attempt);
        if (keys.device) await this.state.trust(keys.device);
      },
    };
  }

  verdict(known: ThrottleSnapshot, keys: ThrottleKeys, now: number): ThrottleVerdict {
    const l = this.limits;
    const waits = [
      keys.device ? this.#wait(known.device, l.deviceFreeFailures, l.deviceFailuresPerHour, now) : 0,
    ];
    if (!known.trusted) {
      waits.push(this.#wait(known.address, l.addressFreeFailures, l.addressFailuresPerHour, now));
      const overflow = known.bucket - l.globalBurst + 1;
      waits.push(overflow > 0 ? Math.ceil((overflow * HOUR) / l.globalFailuresPerHour) : 0);
    }
    const retryAfterMs = Math.max(...waits);
    return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true };
  }

  /** ms until this key may try again: its progressive delay, or the hour's cap. */
  #wait(list: number[], free: number, perHour: number, now: number): number {
    if (list.length >= perHour) return (list[list.length - perHour] as number) + HOUR - now;
    if (list.length < free) return 0;
    const delay = Math.min(this.limits.maxDelayMs, FIRST_DELAY_MS * 2 ** (list.length - free));
    return Math.max(0, (list[list.length - 1] as number) + delay - now);
  }
}

/** The bucket drains this much per ms: its hourly rate spread over the hour. */
export const drainPerMs = (limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS) =>
  limits.globalFailuresPerHour / HOUR;

function keysOf(client: LoginClient): ThrottleKeys {
  return { device: client.device ? `device:${client.device}` : null, address: `address:${client.address}` };
}

/** Bounds memory whatever an attacker invents: the least recently seen keys are forgotten first. */
const MAX_KEYS = 20_000;

/** The state in this process's memory: one API process, as on one machine. */
export class MemoryThrottleState implements ThrottleState {
  readonly #failures = new Map<string, Array<{ at: number; attempt: string }>>();
  readonly #trusted = new Map<string, true>();
  #bucketLevel = 0;
  #bucketAt = 0;

  begin(keys: ThrottleKeys, attempt: string, now: number): ThrottleSnapshot {
    const times = (key: string | null) => {
      if (key === null) return [];
      const recent = (this.#failures.get(key) ?? []).filter((f) => now - f.at < HOUR);
      this.#remember(this.#failures, key, [...recent, { at: now, attempt }]);
      return recent.map((f) => f.at);
    };
    this.#bucketLevel = Math.max(0, this.#bucketLevel - (now - this.#bucketAt) * drainPerMs());
    this.#bucketAt = now;
    const snapshot = {
      device: times(keys.device),
      address: times(keys.address),
      trusted: keys.device !== null && this.#trusted.has(keys.device),
      bucket: this.#bucketLevel,
    };
    this.#bucketLevel += 1;
    return snapshot;
  }

  withdraw(keys: ThrottleKeys, attempt: string): void {
    for (const key of [keys.device, keys.address]) {
      if (key === null) continue;
      const left = (this.#failures.get(key) ?? []).filter((f) => f.attempt !== attempt);
      if (left.length > 0) this.#failures.set(key, left);
      else this.#failures.delete(key);
    }
    this.#bucketLevel = Math.max(0, this.#bucketLevel - 1);
  }

  trust(device: string): void {
    this.#failures.delete(device);
    this.#remember(this.#trusted, device, true);
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
