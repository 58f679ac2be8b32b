import { z } from 'zod';
import { UserError } from '../../errors.js';
import type { ApiToken, ApiTokens } from '../../jobs/token-store.js';
import type { ApiApp } from '../deps.js';
import { type apiTokenSchema, errorSchema, newApiTokenSchema, tokenListSchema } from '../schemas.js';

/**
 * API tokens, managed by a signed-in browser only (a leaked token cannot mint more). The token itself
 * appears once, in the answer that creates it.
 */
export interface TokenRouteDeps {
  tokens: ApiTokens;
  now: () => number;
}

const SESSION_ONLY = { sessionOnly: true } as const;

function tokenView(token: ApiToken): z.infer<typeof apiTokenSchema> {
  return {
    id: token.id,
    name: token.name,
    createdAt: new Date(token.createdAt).toISOString(),
    lastUsedAt: token.lastUsedAt === null ? null : new Date(token.lastUsedAt).toISOString(),
    revoked: token.revokedAt !== null,
  };
}

export function registerTokenRoutes(app: ApiApp, deps: TokenRouteDeps): void {
  app.post(
    '/api/tokens',
    {
      config: SESSION_ONLY,
      schema: {
        tags: ['tokens'],
        summary: 'Create a named API token for scripts (`Authorization: Bearer …`); shown once.',
        body: z.object({ name: z.string().trim().min(1).max(100) }),
        response: { 201: newApiTokenSchema, 400: errorSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const created = await deps.tokens.create(request.body.name, deps.now());
      return reply.code(201).send({ ...tokenView(created), token: created.token });
    },
  );

  app.get(
    '/api/tokens',
    {
      config: SESSION_ONLY,
      schema: {
        tags: ['tokens'],
        summary: 'Every API token, newest first, with when it was last used (never the token itself).',
        response: { 200: tokenListSchema, 403: errorSchema },
      },
    },
    async () => ({ tokens: (await deps.tokens.list()).map(tokenView) }),
  );

  app.delete(
    '/api/tokens/:id',
    {
      config: SESSION_ONLY,
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token: it stops working at once.',
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 204: z.undefined(), 403: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      if (!(await deps.tokens.revoke(request.params.id, deps.now()))) {
        throw new UserError('not_found', 'There is no such API token (or it was already revoked).', 404);
      }
      return reply.code(204).send();
    },
  );
}
