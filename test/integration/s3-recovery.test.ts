import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/jobs/db.js';
import { recoverAtStartup } from '../../src/jobs/recovery.js';
import { SqliteJobStore } from '../../src/jobs/sqlite-job-store.js';
import { createFileAudit } from '../../src/storage/file-audit.js';
import { keyOf } from '../../src/storage/file-store.js';
import { dataLayout, outputPath, sourcePath } from '../../src/storage/layout.js';
import { S3FileStore } from '../../src/storage/s3-file-store.js';
import { distinctRecord } from '../support/distinctness.js';
import { jobSpec } from '../support/job-spec.js';
import { startS3Server } from '../support/s3-server.js';

const s3 = await startS3Server();
afterAll(() => s3.stop());

describe('start-up recovery in S3 mode', () => {
  it('looks for finished outputs and sources in the bucket, not in the data folder', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vidvar-s3-recovery-'));
    const layout = dataLayout(root);
    for (const dir of [layout.uploads, layout.work, layout.outputs]) mkdirSync(dir, { recursive: true });
    const db = openDatabase(layout.database);
    const silent = pino({ level: 'silent' });
    const files = new S3FileStore(layout, createFileAudit(layout, silent), {
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    });
    try {
      const store = new SqliteJobStore(db);
      const facts = {
        sizeBytes: 12,
        durationSec: 2,
        width: 320,
        height: 568,
        distinctness: distinctRecord(),
      };
      /** Writes the file where a worker renders it, then moves it to the bucket as a worker does. */
      const rest = async (file: string, content: string) => {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, content);
        await files.publish(keyOf(root, file));
      };

      // In the bucket: one output (kept) and the source. Missing there: one output, though a stale
      // copy lingers in this machine's cache, which must not count.
      const job = store.createJob(jobSpec({ count: 2 }));
      const [kept, lost] = job.outputs.map((o) => o.id) as [string, string];
      await rest(sourcePath(layout, job.sources[0]?.id as string), 'source bytes');
      for (const id of [kept, lost]) store.completeOutput(id, facts);
      store.setJobStatus(job.id, 'done', 1);
      await rest(outputPath(layout, job.id, kept), 'complete');
      writeFileSync(outputPath(layout, job.id, lost), 'stale cache');

      // Its output missing from the bucket and its source too (though a cached copy lingers): lost.
      const gone = store.createJob(jobSpec({ count: 1 }));
      const goneOutput = gone.outputs[0]?.id as string;
      store.completeOutput(goneOutput, facts);
      store.setJobStatus(gone.id, 'done', 1);
      writeFileSync(sourcePath(layout, gone.sources[0]?.id as string), 'cached, not resting');

      const report = await recoverAtStartup({ store, layout, logger: silent, now: 2, files });
      expect(report).toMatchObject({ requeuedOutputs: [lost], lostOutputs: [goneOutput] });
      expect(store.getJob(job.id)?.outputs.map((o) => o.status)).toEqual(['done', 'queued']);
      expect(store.getJob(gone.id)?.status).toBe('failed');
    } finally {
      for await (const file of files.list('')) await files.remove(file.key);
      files.close();
      db.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
