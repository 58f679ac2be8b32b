import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { serveMissingMultipart } from './s3rver-multipart.js';

/**
 * A real S3-compatible server (s3rver, from npm) on a free loopback port, with one empty bucket and
 * its files in a temporary folder. `env` is what a vidvar process needs to use it. s3rver answers
 * through our own HTTP server, which first serves the multipart operations it lacks (see
 * s3rver-multipart.ts).
 */
export interface TestS3Server {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
  /** Where s3rver keeps the bucket's files (to look at what a failure left behind). */
  directory: string;
  stop(): Promise<void>;
}

export async function startS3Server(bucket = 'vidvar-test'): Promise<TestS3Server> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'vidvar-s3-'));
  const s3rver = new S3rver({ silent: true, directory, configureBuckets: [{ name: bucket }] });
  await s3rver.configureBuckets();
  const answer = s3rver.callback();
  const server = createServer((req, res) => {
    serveMissingMultipart(directory, req, res).then(
      (served) => {
        if (!served) answer(req, res);
      },
      (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    endpoint,
    bucket,
    directory,
    env: {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      // s3rver's built-in account.
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
