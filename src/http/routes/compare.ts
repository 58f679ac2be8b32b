import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply } from 'fastify';
import { UserError } from '../../errors.js';
import type { JobStore } from '../../jobs/types.js';
import { compareVideoFiles, type EngineOptions } from '../../media/index.js';
import type { FileAudit } from '../../storage/file-audit.js';
import { type FileStore, keyOf, storageUnavailableError } from '../../storage/file-store.js';
import { type DataLayout, sourcePath, workPath } from '../../storage/layout.js';
import type { ApiApp } from '../deps.js';
import { refuseWhileDraining } from '../refusals.js';
import { compareBodySchema, comparisonSchema, errorSchema } from '../schemas.js';

export interface CompareRouteDeps {
  store: JobStore;
  layout: DataLayout;
  /** Where admitted uploads rest; in S3 mode they are fetched for the comparison, then dropped. */
  files: FileStore;
  audit: FileAudit;
  engine: EngineOptions;
  isDraining: () => boolean;
}

/**
 * Comparisons at once. Each hashes every frame of two videos on the server's own thread (about
 * 2 ms a frame, between other requests) beside two FFmpeg decodes that take no render slot: one at
 * a time keeps a few curious clicks from slowing every batch and every answer down.
 */
export const MAX_COMPARISONS_AT_ONCE = 1;

export function registerCompareRoute(app: ApiApp, deps: CompareRouteDeps): void {
  let running = 0;

  app.post(
    '/api/compare',
    {
      schema: {
        tags: ['compare'],
        summary: "Would Meta's open video matcher (vPDQ) treat two uploaded videos as the same?",
        description:
          'Hashes every frame of both admitted uploads with PDQ and applies vPDQ: a match when at least 80 % ' +
          "of B's frames have a frame of A within 31 bits. The uploads stay available for batches. " +
          'No platform publishes how it de-duplicates ads; vPDQ is the best open proxy, not a promise.',
        body: compareBodySchema,
        response: {
          200: comparisonSchema,
          400: errorSchema,
          404: errorSchema,
          429: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      refuseWhileDraining(deps.isDraining, reply);
      const a = await upload(deps.store, request.body.a, 'a');
      const b = await upload(deps.store, request.body.b, 'b');
      if (running >= MAX_COMPARISONS_AT_ONCE) {
        throw new UserError('busy', 'Another comparison is running; try again in a moment.', 429, {
          retryAfterS: 10,
        });
      }
      running++;
      const gone = abortWhenClientLeaves(reply);
      const fetched: string[] = [];
      try {
        const fileA = await localCopy(deps, a.id, 'a', fetched, gone.signal);
        const fileB = await localCopy(deps, b.id, 'b', fetched, gone.signal);
        return await compareVideoFiles(
          { file: fileA, name: a.name, media: a.media },
          { file: fileB, name: b.name, media: b.media },
          { engine: deps.engine },
          gone.signal,
        );
      } catch (error) {
        // Nobody is left to answer: the stopped decodes are no failure worth an error in the log.
        if (!gone.signal.aborted) throw error;
        request.log.info('comparison stopped: the client left');
        return reply.hijack();
      } finally {
        running--;
        gone.release();
        // The bucket keeps them for batches; this process's copy was only for the comparison.
        for (const file of fetched) deps.audit.remove(file);
      }
    },
  );
}

/**
 * The upload's file in the data folder. In S3 mode it rests in the bucket and is copied to a scratch
 * file of its own in work/ (listed in `fetched`, deleted afterwards): never to the source's own path,
 * where a worker in this process may be rendering from a cached copy. A bucket that does not answer
 * is a 503 the client may retry.
 */
async function localCopy(
  deps: CompareRouteDeps,
  id: string,
  field: 'a' | 'b',
  fetched: string[],
  signal: AbortSignal,
): Promise<string> {
  const file = sourcePath(deps.layout, id);
  if (deps.files.kind === 'local') return file;
  const scratch = workPath(deps.layout, id, `compare-${randomBytes(6).toString('hex')}.src`);
  fetched.push(scratch);
  try {
    const opened = await deps.files.open(keyOf(deps.layout.root, file));
    if (opened === null) throw uploadNotFound(field);
    await pipeline(opened.stream, createWriteStream(scratch), { signal });
  } catch (error) {
    if (signal.aborted || error instanceof UserError) throw error;
    throw storageUnavailableError(error);
  }
  return scratch;
}

async function upload(store: JobStore, id: string, field: 'a' | 'b') {
  const found = await store.getUpload(id);
  if (found) return found;
  throw uploadNotFound(field);
}

function uploadNotFound(field: 'a' | 'b'): UserError {
  return new UserError(
    'upload_not_found',
    `Upload "${field}" is not on the server (it was used in a batch, expired or never finished); upload it again.`,
    404,
  );
}

/**
 * The response's 'close' before it was sent means the client went away: the FFmpeg decodes stop.
 * (The request's own 'close' fires as soon as its body has been read, so it cannot tell.)
 */
function abortWhenClientLeaves(reply: FastifyReply): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableEnded) controller.abort();
  };
  reply.raw.once('close', onClose);
  return { signal: controller.signal, release: () => reply.raw.off('close', onClose) };
}
