import { z } from 'zod';
import { UserError } from '../../errors.js';
import {
  clearSessionCookie,
  hasValidSession,
  loginClient,
  passwordMatches,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  setSessionCookie,
} from '../auth.js';
import type { ApiApp, Sessions } from '../deps.js';
import type { LoginThrottle } from '../login-throttle.js';
import { PUBLIC_ROUTE } from '../route-access.js';
import { errorSchema, loginBodySchema, sessionStatusSchema } from '../schemas.js';

export interface SessionRouteDeps {
  sessions: Sessions;
  password: string;
  throttle: LoginThrottle;
  now: () => number;
}

export function registerSessionRoutes(app: ApiApp, deps: SessionRouteDeps): void {
  app.post(
    '/api/session',
    {
      config: PUBLIC_ROUTE,
      schema: {
        tags: ['session'],
        summary: 'Sign in with the shared password; sets the session cookie.',
        body: loginBodySchema,
        response: { 204: z.undefined(), 401: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      const now = deps.now();
      const client = loginClient(request, reply);
      // Counted as a failure from here, where every API process sees it, until the password is known.
      const attempt = await deps.throttle.attempt(client, now);
      if (!attempt.allowed) {
        const seconds = Math.max(1, Math.ceil(attempt.retryAfterMs / 1000));
        reply.header('Retry-After', String(seconds));
        throw new UserError(
          'too_many_attempts',
          `Too many wrong passwords. Try again in ${waitText(seconds)}.`,
          429,
        );
      }
      const right = passwordMatches(request.body.password, deps.password);
      await attempt.finish(right);
      if (!right) {
        request.log.warn({ ip: request.ip }, 'wrong password');
        throw new UserError('wrong_password', 'That password is not right.', 401);
      }
      // Always a new id; the one the browser held (perhaps planted by someone else) stops working.
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await deps.sessions.deleteSession(previous);
      const session = await deps.sessions.createSession(now, SESSION_TTL_MS);
      setSessionCookie(request, reply, session.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/session',
    {
      config: PUBLIC_ROUTE,
      schema: {
        tags: ['session'],
        summary: 'Whether the session cookie is valid.',
        response: { 200: sessionStatusSchema, 401: errorSchema },
      },
    },
    async (request, reply) => {
      // The web client asks this first on every visit: the device cookie is set from the start.
      loginClient(request, reply);
      if (!(await hasValidSession(request, deps.sessions, deps.now()))) {
        throw new UserError('unauthorized', 'Please sign in first.', 401);
      }
      return { authenticated: true as const };
    },
  );

  app.delete(
    '/api/session',
    {
      config: PUBLIC_ROUTE,
      schema: {
        tags: ['session'],
        summary: 'Sign out: the session stops working everywhere.',
        response: { 204: z.undefined() },
      },
    },
    async (request, reply) => {
      const id = request.cookies[SESSION_COOKIE];
      if (id) await deps.sessions.deleteSession(id);
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
  );
}

function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
