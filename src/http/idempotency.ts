import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';
import type { IdempotencyKeys, KeyRef, StoredAnswer } from '../jobs/idempotency-store.js';
import { SESSION_COOKIE } from './auth.js';

/**
 * `Idempotency-Key` on requests that create something: the first answer is kept for 24 h and a retry
 * with the same key (from the same credential) gets it again instead of a second batch or upload; the
 * same key with another request is refused with 422. Only successes are kept: after a failure the key
 * may be used again.
 */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** The key of this request on this route, scoped to its credential (stored hashed); undefined without one. */
export function idempotencyRef(request: FastifyRequest, route: string): KeyRef | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY_PATTERN.test(raw)) {
    throw new UserError(
      'invalid_idempotency_key',
      'Idempotency-Key: use one value of 1 to 255 visible ASCII characters (a UUID, say).',
      400,
    );
  }
  const authorization = request.headers.authorization;
  const credential = authorization
    ? `bearer ${authorization}`
    : `session ${request.cookies[SESSION_COOKIE] ?? ''}`;
  return { scope: sha256(credential), route, key: raw };
}

/** What identifies a request's content: the same key must come with the same one. */
export function fingerprintOf(content: unknown): string {
  return sha256(JSON.stringify(content));
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Claim = { kind: 'new' } | { kind: 'replay'; answer: StoredAnswer };

/** Claims the key, answering for the cases that must not run the request. */
export async function claimKey(
  store: IdempotencyKeys,
  ref: KeyRef,
  fingerprint: string,
  now: number,
): Promise<Claim> {
  const claim = await store.claim(ref, fingerprint, now);
  if (claim.kind === 'mismatch') {
    throw new UserError(
      'idempotency_mismatch',
      'Idempotency-Key: this key was already used for a different request; use a new key for a new request.',
      422,
    );
  }
  if (claim.kind === 'in_progress') {
    throw new UserError(
      'idempotency_in_progress',
      'Idempotency-Key: the first request with this key is still being handled; try again in a moment.',
      409,
      { retryAfterS: 2 },
    );
  }
  return claim;
}

/**
 * Runs `create` once per key: a retry gets the first answer (marked `Idempotent-Replayed: true`).
 * Without a key it simply runs.
 */
export async function oncePerKey(
  store: IdempotencyKeys,
  ref: KeyRef | undefined,
  fingerprint: string,
  now: number,
  create: () => Promise<Answer>,
): Promise<Answer> {
  if (!ref) return create();
  const claim = await claimKey(store, ref, fingerprint, now);
  if (claim.kind === 'replay') return replayed(claim.answer);
  let answer: Answer;
  try {
    answer = await create();
  } catch (error) {
    await store.release(ref);
    throw error;
  }
  await store.complete(ref, answer);
  return answer;
}

export function replayed(answer: StoredAnswer): Answer {
  return { ...answer, headers: { ...answer.headers, 'idempotent-replayed': 'true' } };
}
