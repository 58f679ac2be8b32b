import { describe, expect, it } from 'vitest';
import { CLIENT_ROUTES, TUS_ROUTES } from '../../src/client/api-routes.js';
import { signedInServerForFile } from '../support/server.js';

/**
 * The typed client against the OpenAPI document a real server publishes: every route the client calls
 * is documented with that method, except the tus routes, which the tus server answers and which are
 * listed here (and checked to be outside the document, so the list cannot go stale).
 */
const server = await signedInServerForFile({ work: false });
const doc = (await (await server.api('/api/openapi.json')).json()) as {
  paths: Record<string, Record<string, unknown>>;
};

describe('the typed client’s routes', () => {
  it('are in /api/openapi.json with the method the client sends', () => {
    const documented = Object.values(CLIENT_ROUTES).filter((route) => !TUS_ROUTES.includes(route));
    expect(documented.length).toBeGreaterThan(5);
    for (const [method, path] of documented) {
      expect(doc.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeDefined();
    }
  });

  it('outside the document are only the tus routes, which the server answers as tus', async () => {
    expect(TUS_ROUTES.map(([method, path]) => `${method} ${path}`)).toEqual([
      'POST /api/uploads',
      'PATCH /api/uploads/{id}',
    ]);
    for (const [method, path] of TUS_ROUTES) {
      expect(doc.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeUndefined();
    }
    const options = await server.api('/api/uploads', { method: 'OPTIONS' });
    expect(options.headers.get('tus-version')).toMatch(/1\.0\.0/);
  });
});
