import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';
import type { FileStore } from '../storage/file-store.js';
import { contentDisposition } from './content-disposition.js';
import { parseRange } from './file-response.js';

/** How long a presigned download link works: enough to start the download, short enough not to be shared. */
export const DOWNLOAD_LINK_SECONDS = 300;

export interface StoredFileOptions {
  contentType: string;
  downloadName: string;
  notFound: string;
}

/**
 * Sends a file from where it rests (the bucket in S3 mode), with the same headers and Range answers
 * as sendFile gives for a local one.
 */
export async function sendStoredFile(
  request: FastifyRequest,
  reply: FastifyReply,
  files: FileStore,
  key: string,
  options: StoredFileOptions,
): Promise<FastifyReply> {
  const found = await files.stat(key);
  if (!found) throw new UserError('not_found', options.notFound, 404);
  const range = parseRange(request.headers.range, found.size);
  if (range === 'unsatisfiable') {
    return reply
      .code(416)
      .header('Content-Range', `bytes */${found.size}`)
      .header('Content-Type', 'application/json; charset=utf-8')
      .send({ code: 'range_not_satisfiable', message: 'That part of the file does not exist.' });
  }
  const opened = await files.open(key, range ?? undefined);
  // Deleted between the two requests (the janitor): the same answer as when it was never there.
  if (!opened) throw new UserError('not_found', options.notFound, 404);
  reply
    .header('Content-Type', options.contentType)
    .header('Accept-Ranges', 'bytes')
    .header('Cache-Control', 'private, max-age=3600')
    .header('Content-Disposition', contentDisposition('inline', options.downloadName));
  if (range === null) return reply.header('Content-Length', opened.size).send(opened.stream);
  return reply
    .code(206)
    .header('Content-Range', `bytes ${range.start}-${range.end}/${opened.size}`)
    .header('Content-Length', range.end - range.start + 1)
    .send(opened.stream);
}

/**
 * Sends the browser to a short-lived link straight to the bucket, so a video's bytes never pass
 * through the API process; the link names the file as a direct download would.
 */
export async function redirectToStoredFile(
  reply: FastifyReply,
  files: FileStore,
  key: string,
  options: StoredFileOptions,
): Promise<FastifyReply> {
  if (!(await files.stat(key))) throw new UserError('not_found', options.notFound, 404);
  const url = await files.downloadUrl(key, {
    contentDisposition: contentDisposition('inline', options.downloadName),
    expiresSec: DOWNLOAD_LINK_SECONDS,
  });
  if (url === null) throw new Error('redirectToStoredFile needs a store that gives download links');
  // The link expires: neither the browser nor a proxy may keep this answer.
  return reply.code(302).header('Cache-Control', 'no-store').header('Location', url).send();
}
