import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { UserError } from '../errors.js';
import { getFollowingRedirects, MAX_REDIRECTS, TooManyRedirects } from '../outbound/follow-redirects.js';
import { TargetRefused } from '../outbound/outbound-target.js';
import { RequestFailed } from '../outbound/pinned-request.js';
import { directDownloadUrl } from '../outbound/share-links.js';
import type { StorageBudget } from '../storage/disk-space.js';
import type { FileAudit } from '../storage/file-audit.js';
import type { DataLayout } from '../storage/layout.js';
import { newId, storageFullError } from './job-service.js';
import type { UploadRecord } from './types.js';
import type { UploadService } from './upload-service.js';

/**
 * Import from a link: a video fetched from a direct http(s) link (or a Google Drive or Dropbox share
 * link, in its download form) into the same admission as an upload — the same size cap while it
 * streams, the same storage budget, the same address rules as webhooks, redirects re-checked. Every
 * failure is one sentence about the link; nothing of a refused link stays on disk.
 */
export interface LinkImportDeps {
  uploads: UploadService;
  layout: DataLayout;
  audit: FileAudit;
  budget: StorageBudget;
  maxBytes: number;
  allowPrivate: boolean;
  /** The server's rule for names shown to people (folders, control characters dropped). */
  displayName: (raw: string | undefined) => string;
  logger: Logger;
  /** The whole download may take this long. */
  timeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 5_000;
const HEADERS_TIMEOUT_MS = 15_000;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** Admission refusals that mean the link led to something other than a video. */
const NOT_A_VIDEO = new Set([
  'empty_file',
  'not_a_video',
  'unsupported_format',
  'playlist_refused',
  'no_video_stream',
  'still_image',
  'audio_only',
]);

const linkError = (code: string, message: string, status = 422) => new UserError(code, message, status);
export const notAVideo = () => linkError('link_not_video', 'That link did not lead to a video file.');

function tooLarge(maxBytes: number): UserError {
  const mb = Math.floor(maxBytes / (1024 * 1024));
  return linkError(
    'too_large',
    `That link leads to a file larger than the ${mb} MB this server accepts.`,
    413,
  );
}

/** The sentence for a failure to reach or read the link. */
function reachError(error: unknown): UserError {
  if (error instanceof UserError) return error;
  if (error instanceof TargetRefused) {
    return error.reason === 'private'
      ? linkError(
          'link_refused',
          'url: that link points to a private or local address, which this server does not fetch.',
          400,
        )
      : error.reason === 'unresolvable'
        ? linkError('link_unreachable', 'That link’s server could not be found.')
        : linkError(
            'link_refused',
            'url: only http(s) links without a user name or password can be imported.',
            400,
          );
  }
  if (error instanceof TooManyRedirects) {
    return linkError('link_redirects', `That link redirects more than ${MAX_REDIRECTS} times.`);
  }
  if (error instanceof RequestFailed && error.reason !== 'network')
    return linkError('link_timeout', 'That link took too long to answer.', 504);
  return linkError('link_unreachable', 'That link could not be downloaded (the connection failed).');
}

/** The file name the server gave (Content-Disposition), else the last part of the link's path. */
function nameOf(response: IncomingMessage, url: URL): string | undefined {
  const disposition = response.headers['content-disposition'] ?? '';
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)?.[1];
  const fromPath = url.pathname.split('/').pop();
  for (const candidate of [extended, plain, fromPath]) {
    if (!candidate) continue;
    try {
      return decodeURIComponent(candidate);
    } catch {
      return candidate;
    }
  }
  return undefined;
}

/** Counts bytes as they pass and fails the stream past the cap, so a lying or missing length is caught. */
function capped(maxBytes: number, onTooLarge: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > maxBytes ? onTooLarge() : null, chunk);
    },
  });
}

export async function importFromLink(deps: LinkImportDeps, link: URL): Promise<UploadRecord> {
  const signal = AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let followed: Awaited<ReturnType<typeof getFollowingRedirects>>;
  try {
    followed = await getFollowingRedirects(directDownloadUrl(link), {
      policy: { allowPrivate: deps.allowPrivate },
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      headers: {
        accept: 'video/*, application/octet-stream;q=0.9, */*;q=0.5',
        'user-agent': 'vidvar-import',
      },
      signal,
    });
  } catch (error) {
    throw signal.aborted
      ? linkError('link_timeout', 'That link took too long to answer.', 504)
      : reachError(error);
  }
  const { response, url } = followed;
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    response.destroy();
    throw linkError('link_failed', `That link did not lead to a file: its server answered ${status}.`);
  }
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (declared > deps.maxBytes) {
    response.destroy();
    throw tooLarge(deps.maxBytes);
  }
  // What will land on disk is promised before it arrives: the declared length, else the cap.
  const needed = Number.isFinite(declared) ? declared : deps.maxBytes;
  if (!deps.budget.canFit(needed)) {
    response.destroy();
    throw storageFullError(deps.budget);
  }
  const id = newId();
  const hold = `link:${id}`;
  deps.budget.hold(hold, needed);
  const file = path.join(deps.layout.uploads, `${id}.part`);
  const name = deps.displayName(nameOf(response, url));
  try {
    await pipeline(
      response,
      capped(deps.maxBytes, () => tooLarge(deps.maxBytes)),
      createWriteStream(file),
      { signal },
    );
    deps.audit.created(file);
  } catch (error) {
    deps.audit.remove(file);
    deps.budget.release(hold);
    throw signal.aborted
      ? linkError('link_timeout', 'That link took too long to download.', 504)
      : reachError(error);
  }
  deps.budget.settle(hold);
  deps.logger.info({ uploadId: id, host: url.host }, 'link downloaded');
  try {
    return await deps.uploads.admit({ id, path: file, name });
  } catch (error) {
    // Admission deleted the file; a page or a document instead of a video is a problem of the link.
    if (error instanceof UserError && NOT_A_VIDEO.has(error.code)) throw notAVideo();
    throw error;
  }
}
