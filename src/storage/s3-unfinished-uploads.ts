import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  ListPartsCommand,
  type ListPartsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { UnfinishedUpload } from './file-store.js';
import { storageError } from './s3-error.js';

/**
 * Multipart uploads nobody will complete: a publish cut short by a crash (SIGKILL mid-upload), a tus
 * upload its client abandoned. No object listing shows them, yet their parts take room and are
 * billed; the janitor finds them here and aborts them.
 */
export async function* listUnfinishedUploads(
  client: S3Client,
  bucket: string,
): AsyncIterable<UnfinishedUpload> {
  // No paginator for this listing in the SDK: the markers are followed by hand.
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    let page: ListMultipartUploadsCommandOutput;
    try {
      page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, ...markers }));
    } catch (error) {
      throw storageError('listing unfinished uploads in the bucket', error);
    }
    for (const upload of page.Uploads ?? []) {
      if (upload.Key === undefined || upload.UploadId === undefined) continue;
      const found = { key: upload.Key, uploadId: upload.UploadId };
      yield { ...found, activeMs: await lastPartMs(client, bucket, found, upload.Initiated?.getTime() ?? 0) };
    }
    if (!page.IsTruncated) return;
    markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
  }
}

/** When the newest part arrived, or `startedMs` when none has. */
async function lastPartMs(
  client: S3Client,
  bucket: string,
  upload: { key: string; uploadId: string },
  startedMs: number,
): Promise<number> {
  let newest = startedMs;
  // Followed by IsTruncated, not by the SDK's paginator, which asks again for as long as a next
  // marker comes back, and some servers send one on the last page too.
  let marker: string | undefined;
  for (;;) {
    let page: ListPartsCommandOutput;
    try {
      page = await client.send(
        new ListPartsCommand({
          Bucket: bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
          PartNumberMarker: marker,
        }),
      );
    } catch (error) {
      // Completed or aborted since it was listed: it has no parts left to weigh.
      if ((error as { name?: string }).name === 'NoSuchUpload') return Number.POSITIVE_INFINITY;
      throw storageError(`listing the parts of ${upload.key} in the bucket`, error);
    }
    for (const part of page.Parts ?? []) newest = Math.max(newest, part.LastModified?.getTime() ?? 0);
    if (!page.IsTruncated || page.NextPartNumberMarker === undefined) break;
    marker = page.NextPartNumberMarker;
  }
  return newest;
}

/** Aborts an unfinished upload; one aborted or completed meanwhile is no failure. */
export async function abortUnfinishedUpload(
  client: S3Client,
  bucket: string,
  upload: UnfinishedUpload,
): Promise<void> {
  try {
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }),
    );
  } catch (error) {
    // Aborted meanwhile (by its own publish, or another process's janitor): nothing is left to do.
    if ((error as { name?: string }).name === 'NoSuchUpload') return;
    throw storageError(`aborting the unfinished upload of ${upload.key}`, error);
  }
}
