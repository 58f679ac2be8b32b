import type { IncomingMessage } from 'node:http';
import { type CancellationContext, EVENTS, Server, type Upload } from '@tus/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isUserError, UserError } from '../../errors.js';
import type { IdempotencyKeys } from '../../jobs/idempotency-store.js';
import { newId, storageFullError } from '../../jobs/job-service.js';
import type { JobStore } from '../../jobs/types.js';
import type { UploadService } from '../../jobs/upload-service.js';
import { type FileStore, isS3ClientError, storageUnavailableError } from '../../storage/file-store.js';
import type { DataLayout } from '../../storage/layout.js';
import type { S3Settings } from '../../storage/s3-settings.js';
import { estimateUploadBytes } from '../../storage/storage-estimate.js';
import { uploadHoldKey } from '../../storage/upload-holds.js';
import type { ApiApp, StorageBudget } from '../deps.js';
import { discardBody } from '../discard-body.js';
import { displayName } from '../display-name.js';
import { INTERNAL_MESSAGE } from '../error-handler.js';
import { claimKey, fingerprintOf, idempotencyRef } from '../idempotency.js';
import { uploadInfo } from '../job-view.js';
import { refuseWhileDraining, tooLargeError } from '../refusals.js';
import { errorSchema, idSchema, uploadInfoSchema } from '../schemas.js';
import { createTusDatastore } from '../tus-datastore.js';

export const TUS_PATH = '/api/uploads';

export interface UploadRouteDeps {
  layout: DataLayout;
  files: FileStore;
  /** Set in S3 mode: tus then keeps unfinished uploads in the bucket. */
  s3: S3Settings | null;
  store: JobStore;
  uploads: UploadService;
  budget: StorageBudget;
  maxUploadBytes: number;
  isDraining: () => boolean;
  idempotency: IdempotencyKeys;
  now: () => number;
}

/**
 * tus answers with plain text by default, and its header checks (412, 400) bypass onResponseError;
 * every answer of this API is `{code, message}` JSON.
 */
class JsonTusServer extends Server {
  override write(context: CancellationContext, headers: Headers, status: number, body?: string) {
    const text = body && status >= 400 && !body.startsWith('{') ? json(codeFor(status), body.trim()) : body;
    if (text?.startsWith('{')) headers.set('Content-Type', 'application/json; charset=utf-8');
    return super.write(context, headers, status, text);
  }
}

function codeFor(status: number): string {
  if (status === 404) return 'not_found';
  if (status >= 500) return 'internal';
  return 'invalid_request';
}

/** The tus error bodies are short protocol sentences; anything else may hold a path and is hidden. */
function tusErrorBody(error: Error | { status_code: number; body: string }, maxUploadBytes: number) {
  if (isUserError(error)) return { status_code: error.status, body: json(error.code, error.message) };
  if ('status_code' in error) {
    if (error.status_code === 413) {
      const tooLarge = tooLargeError(maxUploadBytes);
      return { status_code: 413, body: json(tooLarge.code, tooLarge.message) };
    }
    if (error.status_code < 500) {
      return { status_code: error.status_code, body: json(codeFor(error.status_code), error.body.trim()) };
    }
  }
  return { status_code: 500, body: json('internal', INTERNAL_MESSAGE) };
}

function json(code: string, message: string): string {
  return JSON.stringify({ code, message });
}

/** The Node request behind tus's web Request (srvx keeps it), to tell the route which upload it created. */
function nodeRequestOf(req: Request): IncomingMessage | undefined {
  return (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
}

function createTusServer(
  app: ApiApp,
  deps: UploadRouteDeps,
  created: WeakMap<IncomingMessage, string>,
): Server {
  const tusStore = createTusDatastore(deps.layout, deps.files, deps.s3);
  const { datastore } = tusStore;
  // tus's own record of a finished upload; if it stays, the janitor removes it with the stale uploads.
  const forget = (id: string) =>
    tusStore
      .forget(id)
      .catch((error: unknown) => app.log.warn({ err: error, uploadId: id }, 'tus record not deleted'));
  return new JsonTusServer({
    path: TUS_PATH,
    datastore,
    relativeLocation: true,
    // Same-origin only: no CORS headers, so no other site's page may read an answer.
    allowedOrigins: [],
    maxSize: deps.maxUploadBytes,
    disableTerminationForFinishedUploads: true,
    // Random and unguessable: the id is the capability to write the upload.
    namingFunction: () => newId(),
    async onUploadCreate(req, upload: Upload) {
      if (upload.size === undefined) {
        throw new UserError(
          'length_required',
          'Send the file size (Upload-Length) when starting an upload.',
          400,
        );
      }
      const needed = estimateUploadBytes(upload.size);
      if (!deps.budget.canFit(needed)) throw storageFullError(deps.budget);
      // Checked and promised in the same tick: two uploads cannot both take the last free bytes.
      deps.budget.hold(uploadHoldKey(upload.id), needed);
      const nodeRequest = nodeRequestOf(req);
      if (nodeRequest) created.set(nodeRequest, upload.id);
      app.log.info({ uploadId: upload.id, sizeBytes: upload.size }, 'upload started');
      return {};
    },
    async onUploadFinish(_req, upload: Upload) {
      const name = displayName(upload.metadata?.filename);
      try {
        const file = await tusStore.localFile(upload.id);
        await deps.uploads.admit({ id: upload.id, path: file, name });
        deps.budget.settle(uploadHoldKey(upload.id));
      } catch (error) {
        // Refused: admission deleted the file.
        deps.budget.release(uploadHoldKey(upload.id));
        throw error;
      } finally {
        await forget(upload.id);
      }
      return {};
    },
    onResponseError(_req, error) {
      if (isS3ClientError(error)) {
        // The bucket holds tus's parts in S3 mode: it did not answer, even after the client's retries.
        app.log.error({ err: error }, 'tus request failed on the bucket');
        return tusErrorBody(storageUnavailableError(error), deps.maxUploadBytes);
      }
      const mapped = tusErrorBody(error, deps.maxUploadBytes);
      if (mapped.status_code === 500) app.log.error({ err: error }, 'tus request failed');
      return mapped;
    },
  });
}

export async function registerUploadRoutes(app: ApiApp, deps: UploadRouteDeps): Promise<void> {
  const created = new WeakMap<IncomingMessage, string>();
  const tus = createTusServer(app, deps, created);
  tus.on(EVENTS.POST_TERMINATE, (_req, _res, id: string) => deps.budget.release(uploadHoldKey(id)));

  await app.register(async (scope) => {
    // tus reads the raw request stream itself: no parser may touch the body.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.route({
      method: ['POST', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS'],
      url: TUS_PATH,
      schema: { hide: true },
      handler: tusHandler,
    });
    scope.route({
      method: ['PATCH', 'HEAD', 'DELETE', 'OPTIONS'],
      url: `${TUS_PATH}/:uploadId`,
      schema: { hide: true },
      handler: tusHandler,
    });
  });

  async function tusHandler(request: FastifyRequest, reply: FastifyReply) {
    if (request.method === 'POST' || request.method === 'PATCH') refuseWhileDraining(deps.isDraining, reply);
    const ref = request.method === 'POST' ? idempotencyRef(request, 'POST /api/uploads') : undefined;
    if (ref) {
      const h = request.headers;
      const content = [
        h['upload-length'],
        h['upload-defer-length'],
        h['upload-metadata'],
        h['content-length'],
      ];
      const claim = await claimKey(deps.idempotency, ref, fingerprintOf(content), deps.now());
      if (claim.kind === 'replay') {
        await discardBody(request.raw);
        reply.hijack();
        reply.raw.writeHead(claim.answer.status, { ...claim.answer.headers, 'Idempotent-Replayed': 'true' });
        reply.raw.end();
        return;
      }
    }
    reply.hijack();
    try {
      await handleTus(request, reply);
    } finally {
      if (ref) {
        // tus answered 201 for the upload it created in this request: that answer is what a retry gets.
        const id = created.get(request.raw);
        if (reply.raw.statusCode === 201 && id) {
          await deps.idempotency.complete(ref, {
            status: 201,
            headers: { Location: `${TUS_PATH}/${id}`, 'Tus-Resumable': '1.0.0' },
            body: '',
          });
        } else {
          await deps.idempotency.release(ref);
        }
      }
    }
  }

  async function handleTus(request: FastifyRequest, reply: FastifyReply) {
    try {
      await tus.handle(request.raw, reply.raw);
    } catch (error) {
      request.log.error({ err: error }, 'tus handler failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
        reply.raw.end(json('internal', INTERNAL_MESSAGE));
      } else {
        reply.raw.destroy();
      }
    }
  }

  app.get(
    `${TUS_PATH}/:id/info`,
    {
      schema: {
        tags: ['uploads'],
        summary: 'An admitted upload: its name, size, duration and picture size.',
        params: z.object({ id: idSchema }),
        response: { 200: uploadInfoSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const upload = await deps.store.getUpload(request.params.id);
      if (!upload) throw new UserError('not_found', 'That upload does not exist (or was already used).', 404);
      return uploadInfo(upload);
    },
  );
}
