import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sessions } from './deps.js';
import type { LoginClient } from './login-throttle.js';

export const SESSION_COOKIE = 'vidvar_session';
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
/** Names the browser to the login throttle; it grants nothing by itself. */
export const DEVICE_COOKIE = 'vidvar_device';
const DEVICE_TTL_S = 365 * 24 * 3600;
const DEVICE_ID = /^[A-Za-z0-9_-]{22}$/;

/** Hashing first makes the comparison constant-time whatever the lengths. */
export function passwordMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export async function hasValidSession(
  request: FastifyRequest,
  sessions: Sessions,
  now: number,
): Promise<boolean> {
  const id = request.cookies[SESSION_COOKIE];
  return typeof id === 'string' && id.length > 0 && (await sessions.getSession(id, now)) !== null;
}

/** Cookies are Secure whenever the browser reached us over HTTPS (through a trusted proxy). */
function cookieOptions(request: FastifyRequest) {
  return { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: request.protocol === 'https' };
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string): void {
  reply.setCookie(SESSION_COOKIE, id, {
    ...cookieOptions(request),
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
}

/** The client the login throttle counts: its address, and its device cookie (set here when missing). */
export function loginClient(request: FastifyRequest, reply: FastifyReply): LoginClient {
  const sent = request.cookies[DEVICE_COOKIE];
  if (sent !== undefined && DEVICE_ID.test(sent)) return { address: request.ip, device: sent };
  const device = randomBytes(16).toString('base64url');
  reply.setCookie(DEVICE_COOKIE, device, { ...cookieOptions(request), maxAge: DEVICE_TTL_S });
  return { address: request.ip };
}
