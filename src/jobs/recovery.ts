import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { createFileAudit } from '../storage/file-audit.js';
import { type FileStore, keyOf } from '../storage/file-store.js';
import { type DataLayout, outputPath, sourcePath } from '../storage/layout.js';
import type { JobStore } from './types.js';

export interface RecoveryReport {
  requeuedJobs: string[];
  /** Outputs whose finished file was missing or empty and will be rendered again. */
  requeuedOutputs: string[];
  /** Outputs whose file was lost after their source was already deleted: they cannot be redone. */
  lostOutputs: string[];
  removedWorkFiles: number;
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Where recovery looks for a file: the data folder, or in S3 mode the bucket, where finished files
 * rest (the folder is only a cache there). A bucket that does not answer stops the start-up rather
 * than pass for empty: that would re-render or fail outputs that are safe.
 */
function restingFileChecks(layout: DataLayout, files: FileStore | undefined) {
  if (!files || files.kind === 'local') {
    return {
      bytes: async (file: string) => fileBytes(file),
      exists: async (file: string) => existsSync(file),
    };
  }
  const facts = (file: string) => files.stat(keyOf(layout.root, file));
  return {
    bytes: async (file: string) => (await facts(file))?.size ?? 0,
    exists: async (file: string) => (await facts(file)) !== null,
  };
}

/**
 * Start-up, before the worker runs: whatever a crash or kill -9 left behind is made consistent.
 * Rows say what is missing, so work resumes where it stopped and nothing finished is rendered again;
 * half-written files in work/ are deleted.
 */
export async function recoverAtStartup(deps: {
  store: JobStore;
  layout: DataLayout;
  logger: Logger;
  now: number;
  /** Where finished files rest; the data folder when unset. */
  files?: FileStore;
}): Promise<RecoveryReport> {
  const { store, layout, logger, now } = deps;
  const audit = createFileAudit(layout, logger);
  const resting = restingFileChecks(layout, deps.files);
  const report: RecoveryReport = {
    requeuedJobs: [],
    requeuedOutputs: [],
    lostOutputs: [],
    removedWorkFiles: 0,
  };

  report.requeuedJobs = await store.requeueUnfinished(now);
  for (const jobId of report.requeuedJobs) {
    logger.info({ event: 'job_requeued', jobId }, 'unfinished job queued again');
  }

  for (const job of await store.listJobs()) {
    if (job.status === 'canceled') continue;
    const sources = new Map(job.sources.map((s) => [s.id, s]));
    const missing: typeof job.outputs = [];
    for (const o of job.outputs) {
      if (o.status === 'done' && (await resting.bytes(outputPath(layout, job.id, o.id))) === 0)
        missing.push(o);
    }
    if (missing.length === 0) continue;
    const redoable: typeof job.outputs = [];
    for (const o of missing) {
      const source = sources.get(o.sourceId);
      if (source && !source.deleted && (await resting.exists(sourcePath(layout, source.id))))
        redoable.push(o);
    }
    const lost = missing.filter((o) => !redoable.includes(o));
    if (redoable.length > 0) {
      await store.requeueOutputs(redoable.map((o) => o.id));
      if (job.status !== 'queued') await store.setJobStatus(job.id, 'queued', now);
      report.requeuedOutputs.push(...redoable.map((o) => o.id));
    }
    for (const output of lost) {
      await store.failOutput(output.id, 'This variation’s file was lost and its source is gone.');
      report.lostOutputs.push(output.id);
    }
    if (lost.length > 0 && redoable.length === 0 && job.status === 'done') {
      await store.setJobStatus(
        job.id,
        'failed',
        now,
        `${lost.length} of ${job.outputs.length} variations were lost.`,
      );
    }
    logger.warn(
      {
        event: 'outputs_missing',
        jobId: job.id,
        requeued: redoable.map((o) => o.id),
        lost: lost.map((o) => o.id),
      },
      'finished outputs missing on disk',
    );
  }

  mkdirSync(layout.work, { recursive: true });
  for (const name of readdirSync(layout.work)) {
    audit.removeTree(path.join(layout.work, name));
    report.removedWorkFiles++;
  }
  // Multipart uploads cut off mid-transfer: no request can be writing one before the server listens.
  mkdirSync(layout.uploads, { recursive: true });
  for (const name of readdirSync(layout.uploads).filter((n) => n.endsWith('.part'))) {
    audit.remove(path.join(layout.uploads, name));
    report.removedWorkFiles++;
  }
  return report;
}
