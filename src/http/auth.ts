import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';
import type { SessionStore } from './deps.js';

export const SESSION_COOKIE = 'vidvar_session';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

const PUBLIC_PATHS = new Set(['/api/session', '/api/health']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Hashing first makes the comparison constant-time whatever the lengths. */
export function passwordMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Failed logins per address in a sliding window: in memory, bounded, forgotten on restart. */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60 * 1000,
    private readonly maxAddresses = 10_000,
  ) {}

  isBlocked(address: string, now: number): boolean {
    return this.recent(address, now).length >= this.maxFailures;
  }

  recordFailure(address: string, now: number): void {
    const list = this.recent(address, now);
    list.push(now);
    this.failures.delete(address);
    this.failures.set(address, list);
    if (this.failures.size > this.maxAddresses) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  private recent(address: string, now: number): number[] {
    const list = (this.failures.get(address) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length === 0) this.failures.delete(address);
    else this.failures.set(address, list);
    return list;
  }
}

export function requestPath(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
}

/**
 * A browser sends Origin on cross-site writes; refusing a foreign one stops cross-site request
 * forgery even if SameSite were ignored. Scripts send no Origin and pass.
 */
export function checkOrigin(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = '';
  }
  // request.host honours X-Forwarded-Host only when the proxy is trusted.
  if (originHost === '' || originHost !== request.host) {
    throw new UserError('bad_origin', 'This request came from another site and was refused.', 403);
  }
}

export function hasValidSession(request: FastifyRequest, sessions: SessionStore, now: number): boolean {
  const id = request.cookies[SESSION_COOKIE];
  return typeof id === 'string' && id.length > 0 && sessions.getSession(id, now) !== null;
}

export function requireSession(request: FastifyRequest, sessions: SessionStore, now: number): void {
  const path = requestPath(request);
  if (!path.startsWith('/api/') && path !== '/api') return;
  if (PUBLIC_PATHS.has(path)) return;
  if (!hasValidSession(request, sessions, now)) {
    throw new UserError('unauthorized', 'Please sign in first.', 401);
  }
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string): void {
  reply.setCookie(SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.protocol === 'https',
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.protocol === 'https',
  });
}
