import { z } from 'zod';
import type { JobStore } from '../../jobs/types.js';
import type { ApiApp } from '../deps.js';
import { uploadInfo } from '../job-view.js';
import { uploadInfoSchema } from '../schemas.js';

/**
 * The admitted uploads no batch has used yet, oldest first: New batch offers them again after a
 * reload ("Uploaded earlier") until a batch uses them or the janitor expires them.
 */
export const earlierUploadsSchema = z.object({
  uploads: z.array(uploadInfoSchema.extend({ uploadedAt: z.string() })),
});

export function registerEarlierUploadsRoute(app: ApiApp, deps: { store: JobStore }): void {
  app.get(
    '/api/uploads',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Admitted uploads that no batch has used yet, oldest first.',
        response: { 200: earlierUploadsSchema },
      },
    },
    async () => ({
      uploads: (await deps.store.listUploads()).map((upload) => ({
        ...uploadInfo(upload),
        uploadedAt: new Date(upload.createdAt).toISOString(),
      })),
    }),
  );
}
