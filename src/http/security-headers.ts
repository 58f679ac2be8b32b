import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * Headers on every answer — pages, static files, API answers, errors, and the answers that routes
 * write themselves (tus, ZIP, events) — so they are set on the raw response as the request arrives:
 * Node merges them into whatever is written later, and a route may still override Cache-Control.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export const EVERY_ANSWER: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (_request, reply) => setSecurityHeaders(reply.raw));
}

/** Also for answers that no hook sees (a URL the router cannot even decode). */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(EVERY_ANSWER)) res.setHeader(name, value);
}
