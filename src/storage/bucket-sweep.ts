import type { StorageBudget } from './disk-space.js';
import { type FileStore, keyOf, type StoredFile, type UnfinishedUpload } from './file-store.js';
import { type DataLayout, jobOutputDir, sourcePath } from './layout.js';
import { uploadHoldKey } from './upload-holds.js';

/**
 * The janitor's work on the bucket, in S3 mode, where files rest there and the data folder only
 * caches them. Keys follow the layout (`uploads/<id>.src`, `outputs/<job>/<id>.mp4`, …); tus keeps
 * an unfinished upload at the top of the bucket as `<id>`, `<id>.info` and `<id>.part`.
 */

/** What the records know, as the janitor's sweep needs it. */
export interface KnownFiles {
  /** Sources that admitted uploads or jobs still need. */
  liveSources: Set<string>;
  /** Per job: whether it has finished, and the ids its files are named by (outputs and sources). */
  jobs: Map<string, { finished: boolean; ids: Set<string> }>;
}

export interface BucketSweepDeps {
  files: FileStore;
  layout: DataLayout;
  budget: StorageBudget;
  now: number;
  /** Unknown objects younger than this may belong to a record being written. */
  graceMs: number;
  /** Unfinished tus uploads that received nothing for this long are abandoned. */
  staleTusMs: number;
}

/** Bytes of every object under a prefix ('' for the whole bucket): the storage budget's measure in S3 mode. */
export async function storedBytes(files: FileStore, prefix = ''): Promise<number> {
  let total = 0;
  for await (const file of files.list(prefix)) total += file.size;
  return total;
}

/** Removes a deleted job's objects: its outputs, thumbnails and stills, and the sources it had not used up. Returns the bytes freed. */
export async function removeStoredJob(
  files: FileStore,
  layout: DataLayout,
  job: { id: string; sources: Array<{ id: string; deleted: boolean }> },
): Promise<number> {
  const prefix = `${keyOf(layout.root, jobOutputDir(layout, job.id))}/`;
  let freed = await storedBytes(files, prefix);
  await files.removePrefix(prefix);
  for (const source of job.sources) {
    if (source.deleted) continue;
    const key = keyOf(layout.root, sourcePath(layout, source.id));
    freed += (await files.stat(key))?.size ?? 0;
    await files.remove(key);
  }
  return freed;
}

// As in the data folder: the id is what precedes the first dot of the name.
const idOf = (name: string) => name.split('.')[0] ?? name;

/**
 * Removes objects no record knows, once older than the grace (uploads no job used, outputs of jobs
 * that are gone), tus uploads that went quiet, as a whole, and multipart uploads nobody will
 * complete. Returns what it removed and the bytes of the objects among them.
 */
export async function sweepBucket(
  deps: BucketSweepDeps,
  known: KnownFiles,
): Promise<{ removed: string[]; bytes: number }> {
  const { files, now, graceMs } = deps;
  const orphans: StoredFile[] = [];
  const tus = new Map<string, StoredFile[]>();
  // Listed first, removed after: the listing pages on, unsettled by deletions behind it.
  for await (const file of files.list('')) {
    const old = now - file.modifiedMs > graceMs;
    const [top, first, second, ...deeper] = file.key.split('/');
    if (first === undefined) {
      const id = idOf(top ?? '');
      tus.set(id, [...(tus.get(id) ?? []), file]);
    } else if (top === 'uploads' && second === undefined) {
      const liveSource = first.endsWith('.src') && known.liveSources.has(idOf(first));
      if (!liveSource && old) orphans.push(file);
    } else if (top === 'outputs' && second !== undefined && deeper.length === 0) {
      const job = known.jobs.get(first);
      // A job that still renders may be storing files its record names only once stored.
      const unknown = !job || (job.finished && !job.ids.has(idOf(second)));
      if (unknown && old) orphans.push(file);
    }
  }
  // Parts take room too, though no listing of objects shows them; and they tell when an upload last
  // moved, which tus's objects may not (a PATCH of exactly one part writes none of them).
  const unfinished = new Map<string, UnfinishedUpload[]>();
  for await (const upload of files.unfinishedUploads()) {
    unfinished.set(upload.key, [...(unfinished.get(upload.key) ?? []), upload]);
  }
  const abandoned: UnfinishedUpload[] = [];
  for (const [key, uploads] of unfinished) {
    // A publish (a layout key) lasts seconds; a tus upload (a bare id) is judged with its objects below.
    if (key.includes('/')) abandoned.push(...uploads.filter((u) => now - u.activeMs > graceMs));
    else if (!tus.has(idOf(key))) tus.set(idOf(key), []);
  }
  for (const [id, objects] of tus) {
    const uploads = unfinished.get(id) ?? [];
    const lastMoved = Math.max(...objects.map((o) => o.modifiedMs), ...uploads.map((u) => u.activeMs));
    if (now - lastMoved <= deps.staleTusMs) continue;
    orphans.push(...objects);
    abandoned.push(...uploads);
    deps.budget.release(uploadHoldKey(id));
  }
  for (const upload of abandoned) await files.abandonUpload(upload);
  for (const file of orphans) await files.remove(file.key);
  return {
    removed: [...orphans.map((f) => f.key), ...abandoned.map((u) => `${u.key} (unfinished upload)`)],
    bytes: orphans.reduce((sum, f) => sum + f.size, 0),
  };
}
