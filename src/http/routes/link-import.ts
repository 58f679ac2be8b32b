import { z } from 'zod';
import { importFromLink, type LinkImportDeps } from '../../jobs/link-import.js';
import type { ApiApp } from '../deps.js';
import { uploadInfo } from '../job-view.js';
import { refuseWhileDraining } from '../refusals.js';
import { errorSchema, uploadInfoSchema } from '../schemas.js';

/** `POST /api/uploads/from-url`: a video fetched from a link, admitted like an upload. */
export interface LinkImportRouteDeps {
  link: LinkImportDeps;
  isDraining: () => boolean;
}

export const linkImportBodySchema = z.object({
  url: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) link' })
    .max(2048)
    .describe('A direct link to a video, or a Google Drive or Dropbox share link.'),
});

export function registerLinkImportRoute(app: ApiApp, deps: LinkImportRouteDeps): void {
  app.post(
    '/api/uploads/from-url',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Import a video from a link, admitted like an upload.',
        description:
          'Redirects are followed (at most 5, each checked); private and local addresses are refused; the ' +
          'size cap applies while the file streams. Answers as an admitted upload: use its id in POST /api/jobs.',
        body: linkImportBodySchema,
        response: {
          201: uploadInfoSchema,
          400: errorSchema,
          413: errorSchema,
          422: errorSchema,
          503: errorSchema,
          504: errorSchema,
          507: errorSchema,
        },
      },
    },
    async (request, reply) => {
      refuseWhileDraining(deps.isDraining, reply);
      const upload = await importFromLink(deps.link, new URL(request.body.url));
      return reply.code(201).send(uploadInfo(upload));
    },
  );
}
