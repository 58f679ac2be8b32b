import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { FileAudit } from './file-audit.js';
import {
  checkedKey,
  checkedPrefix,
  type FileStore,
  type KeyRange,
  type StoredFile,
  type UnfinishedUpload,
} from './file-store.js';
import type { DataLayout } from './layout.js';
import { storageError } from './s3-error.js';
import { type S3Settings, s3ClientConfig } from './s3-settings.js';
import { abortUnfinishedUpload, listUnfinishedUploads } from './s3-unfinished-uploads.js';

/** 8 MiB parts, two in flight: 16 MiB of memory per publish, and most outputs go in one request. */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;
/** DeleteObjects takes at most 1000 keys per request. */
const DELETE_BATCH = 1000;

/** Files rest in an S3-compatible bucket; the data folder holds them only while they are worked on. */
export class S3FileStore implements FileStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  private readonly bucket: string;

  constructor(
    private readonly layout: DataLayout,
    private readonly audit: FileAudit,
    settings: S3Settings,
    /** Reads a local file for publishing; tests pass one that breaks midway. */
    private readonly readLocal: (file: string) => Readable = (file) => createReadStream(file),
  ) {
    this.client = new S3Client(s3ClientConfig(settings));
    this.bucket = settings.bucket;
  }

  private pathOf(key: string): string {
    return path.join(this.layout.root, ...checkedKey(key).split('/'));
  }

  async publish(key: string, options: { contentType?: string; signal?: AbortSignal } = {}): Promise<void> {
    const file = this.pathOf(key);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: this.readLocal(file),
        ...(options.contentType ? { ContentType: options.contentType } : {}),
      },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      // Aborted below instead: lib-storage's own abort replaces the real cause when the abort fails too.
      leavePartsOnError: true,
    });
    const onAbort = () => void upload.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      options.signal?.throwIfAborted();
      await upload.done();
    } catch (error) {
      const failure = storageError(`storing ${key} in the bucket`, error);
      // A failed multipart upload is aborted, so the bucket keeps no parts that nobody will complete.
      if (upload.uploadId) await this.abortUpload(key, upload.uploadId, failure);
      throw failure;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    this.audit.remove(file);
  }

  /** Aborts an unfinished multipart upload; if even that fails, the failure says so. */
  private async abortUpload(key: string, uploadId: string, failure: Error): Promise<void> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
      );
    } catch (error) {
      failure.message += `; its unfinished upload ${uploadId} could not be aborted either: ${(error as Error).message}`;
    }
  }

  async ensureLocal(key: string, signal?: AbortSignal): Promise<string | null> {
    const file = this.pathOf(key);
    if (await exists(file)) return file;
    const opened = await this.getObject(key, undefined, signal);
    if (!opened) return null;
    await mkdir(path.dirname(file), { recursive: true });
    // Written under a temporary name: a cut-off download never passes for the whole file.
    const partial = `${file}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(opened.stream, createWriteStream(partial), signal ? { signal } : {});
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw storageError(`fetching ${key} from the bucket`, error);
    }
    return file;
  }

  open(key: string, range?: KeyRange) {
    return this.getObject(key, range);
  }

  private async getObject(key: string, range?: KeyRange, signal?: AbortSignal) {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: checkedKey(key),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
        signal ? { abortSignal: signal } : {},
      );
      const total = /\/(\d+)$/.exec(answer.ContentRange ?? '')?.[1];
      const size = total === undefined ? (answer.ContentLength ?? 0) : Number(total);
      return { stream: answer.Body as Readable, size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw storageError(`reading ${key} from the bucket`, error);
    }
  }

  async stat(key: string) {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: checkedKey(key) }),
      );
      return { size: head.ContentLength ?? 0, modifiedMs: head.LastModified?.getTime() ?? 0 };
    } catch (error) {
      if (isMissing(error)) return null;
      throw storageError(`looking up ${key} in the bucket`, error);
    }
  }

  async remove(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: checkedKey(key) }));
    } catch (error) {
      throw storageError(`deleting ${key} from the bucket`, error);
    }
  }

  async removePrefix(prefix: string): Promise<number> {
    let count = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const objects = batch.map((Key) => ({ Key }));
      batch = [];
      try {
        const answer = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } }),
        );
        const failed = answer.Errors?.[0];
        if (failed) throw new Error(`${failed.Key}: ${failed.Code ?? ''} ${failed.Message ?? ''}`.trim());
      } catch (error) {
        throw storageError(`deleting ${prefix}… from the bucket`, error);
      }
      count += objects.length;
    };
    for await (const file of this.list(prefix)) {
      batch.push(file.key);
      if (batch.length === DELETE_BATCH) await flush();
    }
    await flush();
    return count;
  }

  async *list(prefix: string): AsyncIterable<StoredFile> {
    const pages = paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.bucket, Prefix: checkedPrefix(prefix) },
    );
    try {
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined) continue;
          yield { key: object.Key, size: object.Size ?? 0, modifiedMs: object.LastModified?.getTime() ?? 0 };
        }
      }
    } catch (error) {
      throw storageError(`listing ${prefix}… in the bucket`, error);
    }
  }

  unfinishedUploads(): AsyncIterable<UnfinishedUpload> {
    return listUnfinishedUploads(this.client, this.bucket);
  }

  abandonUpload(upload: UnfinishedUpload): Promise<void> {
    return abortUnfinishedUpload(this.client, this.bucket, upload);
  }

  async downloadUrl(key: string, options: { contentDisposition: string; expiresSec: number }) {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: checkedKey(key),
      ResponseContentDisposition: options.contentDisposition,
    });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresSec });
  }

  /** Ends the client's sockets (tests and shutdown). */
  close(): void {
    this.client.destroy();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
