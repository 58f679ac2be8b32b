import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { ApiApp } from './deps.js';

/** The OpenAPI document is generated from the routes' zod schemas, so it cannot drift from the code. */
export async function registerOpenApi(app: ApiApp, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'vidvar',
        description:
          'Turn a few ad videos into many distinct variations. Sign in with POST /api/session; uploads use tus 1.0 at /api/uploads.',
        version,
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'vidvar_session' },
          token: { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/tokens.' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
}

export function registerOpenApiRoute(app: ApiApp): void {
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
