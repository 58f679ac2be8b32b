import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startS3Server } from '../support/s3-server.js';

// The multipart operations the test server adds to s3rver: the other tests lean on them to see
// that nothing stays open, so they are checked here against the AWS SDK that parses them.
const s3 = await startS3Server();
const client = new S3Client({
  endpoint: s3.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
afterAll(async () => {
  client.destroy();
  await s3.stop();
});

describe('the test S3 server', () => {
  it('lists the parts and open uploads, aborts one, then knows it no more', async () => {
    const Bucket = s3.bucket;
    const Key = 'uploads/a b/ü.src';
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    for (const PartNumber of [2, 1]) {
      const Body = Buffer.alloc(PartNumber * 10, PartNumber);
      await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body }));
    }
    const parts = await client.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 10],
      [2, 20],
    ]);
    expect(parts.IsTruncated).toBe(false);
    const page = await client.send(new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 1 }));
    expect(page.Parts?.map((p) => p.PartNumber)).toEqual([1]);
    expect(page.IsTruncated).toBe(true);
    const rest = await client.send(
      new ListPartsCommand({ Bucket, Key, UploadId, PartNumberMarker: page.NextPartNumberMarker }),
    );
    expect(rest.Parts?.map((p) => p.PartNumber)).toEqual([2]);

    const open = await client.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(open.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[Key, UploadId]]);
    const elsewhere = await client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'outputs/' }));
    expect(elsewhere.Uploads ?? []).toEqual([]);

    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    expect((await client.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? []).toEqual([]);
    await expect(client.send(new ListPartsCommand({ Bucket, Key, UploadId }))).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
  });

  it('answers NoSuchUpload for an upload id it never gave, or given for another key', async () => {
    const Bucket = s3.bucket;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'a' }));
    await expect(client.send(new ListPartsCommand({ Bucket, Key: 'b', UploadId }))).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
    await expect(
      client.send(new AbortMultipartUploadCommand({ Bucket, Key: 'a', UploadId: 'ffff' })),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key: 'a', UploadId }));
  });
});
