import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';
import { hasValidSession, SESSION_COOKIE } from './auth.js';
import type { Sessions } from './deps.js';

/**
 * Who may call a route is declared on the route and checked after routing, on the route that
 * matched. Deciding from the URL string instead lets one spelling pass the check while the router
 * decodes another (`/%61pi/jobs` is `/api/jobs` to the router). Undeclared means protected.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** `public`: no session needed. Anything else, or nothing, needs a session. */
    access?: 'public';
    /** A file of the web client: cached by its own rules instead of `no-store`. */
    webAsset?: boolean;
    /** Needs the signed-in browser itself: an API token is refused (managing tokens). */
    sessionOnly?: boolean;
  }
  interface FastifyRequest {
    /**
     * The credential the access check accepted: `session:<hash of the cookie>` or `token:<token id>`;
     * null on public routes. Limits per caller key on it, not on headers nobody checked.
     */
    principal: string | null;
  }
}

/** Spread into a route's options: `{ config: PUBLIC_ROUTE, ... }`. */
export const PUBLIC_ROUTE = { access: 'public' } as const;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A value now (SQLite) or after a round trip (Redis). */
type Awaitable<T> = T | Promise<T>;

export interface RouteAccessDeps {
  sessions: Sessions;
  tokens: { use(token: string, now: number): Awaitable<{ id: string } | null> };
  now: () => number;
  /** The site's public origin (`https://ads.example.com`); without it the Host header is the site. */
  publicOrigin?: string;
}

export function installRouteAccess(app: FastifyInstance, deps: RouteAccessDeps): void {
  app.decorateRequest('principal', null);
  // The OpenAPI document says which routes are public from the same declaration.
  app.addHook('onRoute', (route) => {
    if (route.config?.access === 'public' && route.schema) route.schema = { ...route.schema, security: [] };
  });
  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    // Per user and changing: no cache keeps API answers (downloads choose their own policy later).
    if (!config.webAsset) reply.raw.setHeader('Cache-Control', 'no-store');
    // A path that routes nowhere reveals nothing: its 404 needs no session.
    const open = request.is404 || config.access === 'public';
    const token = bearerToken(request);
    if (token !== undefined) {
      // Not an ambient credential: no other site's page can make a browser send it, so no Origin check.
      if (open) return;
      if (config.sessionOnly) {
        throw new UserError('session_required', 'Sign in with the password to manage API tokens.', 403);
      }
      const known = await deps.tokens.use(token, deps.now());
      if (!known) {
        throw new UserError('invalid_token', 'Authorization: that API token is unknown or was revoked.', 401);
      }
      // A cookie sent beside the token was never checked: it names nobody.
      request.principal = `token:${known.id}`;
      return;
    }
    checkOrigin(request, deps.publicOrigin);
    if (open) return;
    if (!(await hasValidSession(request, deps.sessions, deps.now()))) {
      throw new UserError('unauthorized', 'Please sign in first.', 401);
    }
    // Hashed: the secret itself need not sit in per-caller tables.
    const cookie = request.cookies[SESSION_COOKIE] ?? '';
    request.principal = `session:${createHash('sha256').update(cookie).digest('base64url')}`;
  });
}

/** The token of an `Authorization: Bearer …` header; '' when the header is there but malformed. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1] ?? '';
}

/** Marks every route registered in this scope (the web client's files) as public web assets. */
export function markScopeAsWebAssets(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public', webAsset: true };
  });
}

/**
 * A browser sends Origin on cross-site writes; refusing a foreign one stops cross-site request
 * forgery even if SameSite were ignored. Scripts send no Origin and pass. The site is the Host the
 * browser addressed (a browser cannot forge it), never X-Forwarded-Host, which any client can set.
 */
function checkOrigin(request: FastifyRequest, publicOrigin: string | undefined): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const allowed = publicOrigin ?? `${request.protocol}://${request.headers.host ?? ''}`;
  if (hostOf(origin) === '' || hostOf(origin) !== hostOf(allowed)) {
    throw new UserError('bad_origin', 'This request came from another site and was refused.', 403);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
