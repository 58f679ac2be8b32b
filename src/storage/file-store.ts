import path from 'node:path';
import type { Readable } from 'node:stream';
import { UserError } from '../errors.js';

/**
 * Where finished files rest. The data folder is a working cache: renders and uploads are written
 * there as always, then published. Locally publishing changes nothing; in S3 mode the file moves to
 * the bucket and the local copy goes. Keys are paths relative to DATA_DIR, as the layout builds
 * them (`uploads/<id>.src`, `outputs/<jobId>/<outputId>.mp4`), so both kinds share one naming.
 */
export interface StoredFile {
  key: string;
  size: number;
  modifiedMs: number;
}

export interface UnfinishedUpload {
  key: string;
  uploadId: string;
  /** When it last received a part (when it began, before the first): an upload may last for hours. */
  activeMs: number;
}

export interface OpenedFile {
  stream: Readable;
  /** The whole file's size, whatever range was asked for. */
  size: number;
}

/** Inclusive byte offsets, as in an HTTP Range header. */
export interface KeyRange {
  start: number;
  end: number;
}

export interface FileStore {
  readonly kind: 'local' | 's3';
  /** Makes the file at layout.root/key the one that rests; in S3 mode the local copy is deleted. */
  publish(key: string, options?: { contentType?: string; signal?: AbortSignal }): Promise<void>;
  /** The local path of the file, fetched from where it rests if needed; null when it does not exist. */
  ensureLocal(key: string, signal?: AbortSignal): Promise<string | null>;
  open(key: string, range?: KeyRange): Promise<OpenedFile | null>;
  stat(key: string): Promise<Omit<StoredFile, 'key'> | null>;
  remove(key: string): Promise<void>;
  /** Removes every file whose key starts with prefix; returns how many. */
  removePrefix(prefix: string): Promise<number>;
  list(prefix: string): AsyncIterable<StoredFile>;
  /**
   * Multipart uploads begun and never completed or aborted: a publish cut short by a crash, a tus
   * upload abandoned. Their parts take room (and are billed) but no listing shows them. None locally.
   */
  unfinishedUploads(): AsyncIterable<UnfinishedUpload>;
  /** Aborts one of them: its parts go. */
  abandonUpload(upload: UnfinishedUpload): Promise<void>;
  /**
   * A short-lived URL that downloads the file directly from where it rests, or null when the
   * server itself must send it (local mode).
   */
  downloadUrl(
    key: string,
    options: { contentDisposition: string; expiresSec: number },
  ): Promise<string | null>;
}

/**
 * Keys come from the layout functions, never from a client; this is the guard in case one ever
 * did: a relative, normalized, forward-slash path that stays inside DATA_DIR.
 */
export function checkedKey(key: string): string {
  const bad =
    key === '' ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((part) => part === '..' || part === '.') ||
    path.posix.normalize(key) !== key;
  if (bad) throw new Error(`invalid storage key: ${JSON.stringify(key).slice(0, 80)}`);
  return key;
}

/** A prefix is a key or the start of one; '' means everything. A trailing '/' names a folder. */
export function checkedPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkedKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** The key of a path under the data folder (the layout functions give paths; the store wants keys). */
export function keyOf(root: string, file: string): string {
  return checkedKey(path.relative(root, file).split(path.sep).join('/'));
}

/** What a user hears when the bucket did not answer even after the client's retries. */
export function storageUnavailableError(cause: unknown): UserError {
  return new UserError(
    'storage_unavailable',
    'The file store is not answering; please try again shortly.',
    503,
    {
      cause,
      retryAfterS: 30,
    },
  );
}

/** An error from the S3 client (the service's answer or the network after retries), as opposed to a bug. */
export function isS3ClientError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && '$metadata' in error;
}
