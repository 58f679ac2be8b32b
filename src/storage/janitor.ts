import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { isFinishedJob } from '../job-status.js';
import { type KnownFiles, removeStoredJob, sweepBucket } from './bucket-sweep.js';
import type { StorageBudget } from './disk-space.js';
import { createFileAudit } from './file-audit.js';
import { type FileStore, keyOf } from './file-store.js';
import { type DataLayout, jobOutputDir, sourcePath } from './layout.js';
import { uploadHoldKey } from './upload-holds.js';

/** What the janitor reads from the job store (storage/ sits below jobs/, so it names only this much). */
interface JobFiles {
  id: string;
  status: string;
  sources: Array<{ id: string; deleted: boolean }>;
  outputs: Array<{ id: string }>;
}

/** A value now (SQLite) or later (Redis). */
type Awaitable<T> = T | Promise<T>;

export interface JanitorStore {
  getJob(id: string): Awaitable<JobFiles | null>;
  listJobs(): Awaitable<JobFiles[]>;
  deleteJob(id: string): Awaitable<void>;
  /** Finished jobs past their expiry. */
  listExpired(now: number): Awaitable<Array<{ id: string }>>;
  listFinishedOldestFirst(): Awaitable<Array<{ id: string }>>;
  listUploads(): Awaitable<Array<{ id: string; createdAt: number }>>;
  deleteUpload(id: string): Awaitable<void>;
}

/**
 * Keeps the volume from filling up: deletes expired jobs with their files, uploads no job used, files
 * no row knows about (after a grace period, so a file being written is never taken), stale resumable
 * uploads, expired sessions, and — past the high-water mark — the oldest finished jobs.
 * Queued and running jobs are never touched.
 */
export interface JanitorDeps {
  store: JanitorStore;
  layout: DataLayout;
  /** Where files rest; in S3 mode the janitor cleans the bucket as well as the data folder (its cache). */
  files?: FileStore;
  budget: StorageBudget;
  logger: Logger;
  clock?: () => number;
  intervalMs: number;
  /** Unknown files younger than this may still be being written (default 1 h). */
  orphanGraceMs?: number;
  /** Unfinished tus uploads that received nothing for this long are abandoned (default 1 h). */
  staleTusMs?: number;
  /** Admitted uploads no job used within this are deleted (default 24 h). */
  uploadTtlMs?: number;
  highWater?: number;
  lowWater?: number;
  sessions?: { deleteExpiredSessions(now: number): Awaitable<number> };
}

export interface JanitorReport {
  expiredJobs: string[];
  evictedJobs: string[];
  staleUploads: string[];
  /** Paths relative to DATA_DIR. */
  orphans: string[];
  expiredSessions: number;
  bytesFreed: number;
}

export interface Janitor {
  /** One pass; while a pass runs, another call returns that same pass. */
  runOnce(): Promise<JanitorReport>;
  start(): void;
  stop(): Promise<void>;
}

const HOUR = 3_600_000;

// The id is what precedes the first dot: "<id>.src" in uploads/; in work/, "<id>.mp4" and its scratch
// files "<id>.mp4.fp", "<id>.mp4.jpg", "<id>.mp4.r128" (loudness) and "<id>.mp4.source.fp", plus the
// source still "<job>.<source>.jpg" (seconds old, before its rename: only the grace period keeps it);
// in outputs/<job>/, "<id>.mp4", "<id>.jpg" and "<source>.source.jpg".
const idOf = (name: string) => name.split('.')[0] ?? name;

/** Per job, whether it finished and the ids its files are named by: outputs, and sources (their stills). */
function knownJobs(jobs: Map<string, JobFiles>): KnownFiles['jobs'] {
  return new Map(
    [...jobs.values()].map((job) => [
      job.id,
      {
        finished: isFinishedJob(job.status),
        ids: new Set([...job.outputs.map((o) => o.id), ...job.sources.map((source) => source.id)]),
      },
    ]),
  );
}

export function createJanitor(deps: JanitorDeps): Janitor {
  const { store, layout, budget, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const grace = deps.orphanGraceMs ?? HOUR;
  const staleTus = deps.staleTusMs ?? HOUR;
  const uploadTtl = deps.uploadTtlMs ?? 24 * HOUR;
  const highWater = deps.highWater ?? 0.8;
  const lowWater = deps.lowWater ?? 0.6;
  const audit = createFileAudit(layout, logger);
  const bucket = deps.files?.kind === 's3' ? deps.files : null;
  let inFlight: Promise<JanitorReport> | null = null;
  let timer: NodeJS.Timeout | null = null;

  /** Deletes a finished job: row first, so a crash half-way leaves orphans the next pass removes. */
  async function deleteFinishedJob(id: string, reason: string, report: JanitorReport): Promise<boolean> {
    const job = await store.getJob(id);
    if (!job || !isFinishedJob(job.status)) return false;
    await store.deleteJob(id);
    report.bytesFreed += audit.removeTree(jobOutputDir(layout, id), id);
    for (const source of job.sources) report.bytesFreed += audit.remove(sourcePath(layout, source.id), id);
    if (bucket) report.bytesFreed += await removeStoredJob(bucket, layout, job);
    logger.info({ event: 'job_deleted', jobId: id, reason }, 'job deleted');
    return true;
  }

  async function entries(dir: string): Promise<Array<{ name: string; file: string; ageMs: number }>> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const now = clock();
    const found = [];
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        found.push({ name, file, ageMs: now - (await lstat(file)).mtimeMs });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return found;
  }

  function removeOrphan(file: string, report: JanitorReport, jobId?: string): void {
    report.bytesFreed += audit.removeTree(file, jobId);
    report.orphans.push(path.relative(layout.root, file));
  }

  async function sweepOrphans(report: JanitorReport): Promise<void> {
    const jobs = new Map<string, JobFiles>((await store.listJobs()).map((job) => [job.id, job]));
    const liveSources = new Set((await store.listUploads()).map((u) => u.id));
    const busyOutputs = new Set<string>();
    for (const job of jobs.values()) {
      for (const source of job.sources) if (!source.deleted) liveSources.add(source.id);
      if (!isFinishedJob(job.status)) for (const output of job.outputs) busyOutputs.add(output.id);
    }
    if (bucket) await sweepTheBucket(bucket, { liveSources, jobs: knownJobs(jobs) }, report);

    for (const entry of await entries(layout.uploads)) {
      if (entry.file === layout.tus) continue;
      const known = entry.name.endsWith('.src') && liveSources.has(idOf(entry.name));
      if (!known && entry.ageMs > grace) removeOrphan(entry.file, report);
    }
    // tus writes `<id>.json` once, at creation, and the data file `<id>` with every PATCH: an upload is
    // idle only when both are, and goes as a whole so no half of it is left to answer for the other.
    const tusUploads = new Map<string, Array<{ file: string; ageMs: number }>>();
    for (const entry of await entries(layout.tus)) {
      const id = idOf(entry.name);
      tusUploads.set(id, [...(tusUploads.get(id) ?? []), entry]);
    }
    for (const [id, files] of tusUploads) {
      if (Math.min(...files.map((f) => f.ageMs)) <= staleTus) continue;
      for (const { file } of files) removeOrphan(file, report);
      budget.release(uploadHoldKey(id));
    }
    for (const entry of await entries(layout.work)) {
      if (!busyOutputs.has(idOf(entry.name)) && entry.ageMs > grace) removeOrphan(entry.file, report);
    }
    for (const entry of await entries(layout.outputs)) {
      const job = jobs.get(entry.name);
      if (!job) {
        if (entry.ageMs > grace) removeOrphan(entry.file, report);
        continue;
      }
      if (!isFinishedJob(job.status)) continue;
      // Outputs, their thumbnails, and the stills of the sources (<sourceId>.source.jpg).
      const known = new Set([...job.outputs.map((o) => o.id), ...job.sources.map((source) => source.id)]);
      for (const inner of await entries(entry.file)) {
        if (!known.has(idOf(inner.name)) && inner.ageMs > grace) removeOrphan(inner.file, report, job.id);
      }
    }
  }

  async function sweepTheBucket(files: FileStore, known: KnownFiles, report: JanitorReport): Promise<void> {
    const swept = await sweepBucket(
      { files, layout, budget, now: clock(), graceMs: grace, staleTusMs: staleTus },
      known,
    );
    report.orphans.push(...swept.removed);
    report.bytesFreed += swept.bytes;
  }

  async function evictUntilUnderLowWater(report: JanitorReport): Promise<void> {
    await budget.refresh();
    if (budget.usageFraction() <= highWater) return;
    logger.warn(
      { event: 'storage_pressure', usage: budget.usageFraction() },
      'storage above high-water mark',
    );
    for (const job of await store.listFinishedOldestFirst()) {
      if (budget.usageFraction() <= lowWater) break;
      if (await deleteFinishedJob(job.id, 'storage_pressure', report)) report.evictedJobs.push(job.id);
      await budget.refresh();
    }
  }

  async function pass(): Promise<JanitorReport> {
    const now = clock();
    const report: JanitorReport = {
      expiredJobs: [],
      evictedJobs: [],
      staleUploads: [],
      orphans: [],
      expiredSessions: 0,
      bytesFreed: 0,
    };
    for (const job of await store.listExpired(now)) {
      if (await deleteFinishedJob(job.id, 'expired', report)) report.expiredJobs.push(job.id);
    }
    for (const upload of await store.listUploads()) {
      if (now - upload.createdAt <= uploadTtl) continue;
      await store.deleteUpload(upload.id);
      report.bytesFreed += audit.remove(sourcePath(layout, upload.id));
      if (bucket) {
        const key = keyOf(layout.root, sourcePath(layout, upload.id));
        report.bytesFreed += (await bucket.stat(key))?.size ?? 0;
        await bucket.remove(key);
      }
      report.staleUploads.push(upload.id);
    }
    await sweepOrphans(report);
    report.expiredSessions = (await deps.sessions?.deleteExpiredSessions(now)) ?? 0;
    await evictUntilUnderLowWater(report);
    logger.info({ event: 'janitor_pass', ...report, usage: budget.usageFraction() }, 'janitor pass');
    return report;
  }

  function runOnce(): Promise<JanitorReport> {
    if (!inFlight) {
      inFlight = pass().finally(() => {
        inFlight = null;
      });
    }
    return inFlight;
  }

  return {
    runOnce,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        runOnce().catch((error) => logger.error({ err: error }, 'janitor pass failed'));
      }, deps.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      // A pass that fails has been logged by whoever started it; stopping only waits for it to end.
      await inFlight?.catch(() => undefined);
    },
  };
}
