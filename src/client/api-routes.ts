/**
 * Every route the typed client calls, as [method, path] in the OpenAPI document's spelling. The client
 * builds its requests from this list only, and a test checks each pair against /api/openapi.json, so a
 * renamed route fails there rather than in someone's pipeline.
 */
export const CLIENT_ROUTES = {
  /** tus creation: the tus server answers it, so it is not in the OpenAPI document. */
  createUpload: ['POST', '/api/uploads'],
  /** tus upload of the bytes: likewise outside the document. */
  sendUpload: ['PATCH', '/api/uploads/{id}'],
  uploadInfo: ['GET', '/api/uploads/{id}/info'],
  importUrl: ['POST', '/api/uploads/from-url'],
  createJob: ['POST', '/api/jobs'],
  getJob: ['GET', '/api/jobs/{id}'],
  jobEvents: ['GET', '/api/jobs/{id}/events'],
  output: ['GET', '/api/jobs/{id}/outputs/{outputId}'],
  manifest: ['GET', '/api/jobs/{id}/manifest'],
  download: ['GET', '/api/jobs/{id}/download'],
} as const satisfies Record<string, readonly [string, string]>;

export type ClientRoute = (typeof CLIENT_ROUTES)[keyof typeof CLIENT_ROUTES];

/** The tus routes, answered by the tus server rather than by a documented route. */
export const TUS_ROUTES: readonly ClientRoute[] = [CLIENT_ROUTES.createUpload, CLIENT_ROUTES.sendUpload];

/** The route's path with its `{name}` parts filled in, each encoded. */
export function routePath(route: ClientRoute, params: Record<string, string> = {}): string {
  return route[1].replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    // A programming error in the client, not a user's input: the list and the call disagree.
    if (value === undefined) throw new Error(`${route[0]} ${route[1]} needs ${name}`);
    return encodeURIComponent(value);
  });
}
