import { existsSync, statfsSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DataLayout } from './layout.js';

export interface DiskUsage {
  /** Bytes an unprivileged process may still write. */
  freeBytes: number;
  totalBytes: number;
}

export function diskUsage(dir: string): DiskUsage {
  const stats = statfsSync(existingAncestor(dir));
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}

export interface StorageBudgetOptions {
  layout: DataLayout;
  /** Default: the size of the volume holding DATA_DIR. */
  budgetBytes?: number;
  clock?: () => number;
  /** How old the measure of the data folder may be before a new one starts in the background. */
  cacheMs?: number;
  /** A background walk that failed (the folder is unreadable); the last measure stays in use. */
  onWalkError?: (error: unknown) => void;
  /**
   * What counts as used, measured in the background like the walk it replaces (S3 mode: the bytes
   * of the bucket's objects, listed). Default: a walk of the data folder.
   */
  measure?: () => Promise<number>;
  /**
   * Whether promises must also fit the free space of DATA_DIR's volume. Not in S3 mode: files rest
   * in the bucket, and the folder holds only the work in progress of this one process.
   */
  volumeBound?: boolean;
}

/**
 * What the data folder may still take. Two parts:
 * - bytes on disk, measured by walking the folder in the background — never on a request's path,
 *   where 10,000 files would cost every upload a synchronous walk;
 * - bytes promised: every unfinished upload's declared length and every queued output's estimate,
 *   held until they finish or expire. A promise released just now may not be in the last walk yet,
 *   so it stays counted until a walk that started after its release has finished.
 * A request is accepted only when both parts plus its own bytes fit the budget.
 */
export class StorageBudget {
  readonly budgetBytes: number;
  readonly #layout: DataLayout;
  readonly #clock: () => number;
  readonly #cacheMs: number;
  readonly #holds = new Map<string, number>();
  readonly #settling: Array<{ seq: number; bytes: number }> = [];
  readonly #computed: Array<() => number> = [];
  #seq = 0;
  #measured: { at: number; bytes: number };
  #walk: Promise<void> | null = null;
  #next: Promise<void> | null = null;
  readonly #onWalkError: (error: unknown) => void;
  readonly #measure: () => Promise<number>;
  readonly #volumeBound: boolean;

  constructor(opts: StorageBudgetOptions) {
    this.#layout = opts.layout;
    this.#clock = opts.clock ?? Date.now;
    this.#cacheMs = opts.cacheMs ?? 5000;
    // Without a logger (tests, the bench) a failed walk still shows, on stderr.
    this.#onWalkError =
      opts.onWalkError ??
      ((error) => process.emitWarning(`measuring the data folder failed: ${String(error)}`));
    this.budgetBytes = opts.budgetBytes ?? diskUsage(opts.layout.root).totalBytes;
    this.#measure = opts.measure ?? (() => this.#walkAsync());
    this.#volumeBound = opts.volumeBound ?? true;
    // Not measured yet: createStorageBudget measures before anyone asks.
    this.#measured = { at: Number.NEGATIVE_INFINITY, bytes: 0 };
  }

  /** Bytes on disk as last measured; starts a new measure in the background when that one is old. */
  usedBytes(): number {
    if (this.#clock() - this.#measured.at >= this.#cacheMs) this.#refreshInBackground();
    return this.#measured.bytes;
  }

  /** Bytes promised to unfinished uploads and queued work. */
  reservedBytes(): number {
    let total = 0;
    for (const bytes of this.#holds.values()) total += bytes;
    for (const entry of this.#settling) total += entry.bytes;
    for (const compute of this.#computed) total += compute();
    return total;
  }

  /** True when `bytes` more fit next to what is on disk and promised, in the budget and on the volume. */
  canFit(bytes: number): boolean {
    const promised = this.reservedBytes() + bytes;
    if (this.usedBytes() + promised > this.budgetBytes) return false;
    return !this.#volumeBound || promised <= diskUsage(this.#layout.root).freeBytes;
  }

  /** Promises `bytes` to `key` (an upload, a request) until released. */
  hold(key: string, bytes: number): void {
    this.#holds.set(key, bytes);
  }

  /** The promise is off and nothing of it stays on disk (deleted, abandoned, refused). */
  release(key: string): void {
    this.#holds.delete(key);
  }

  /** The promised bytes are on disk now: counted as promised until a walk has measured them. */
  settle(key: string): void {
    const bytes = this.#holds.get(key);
    if (bytes === undefined) return;
    this.#holds.delete(key);
    this.#settling.push({ seq: ++this.#seq, bytes });
    this.#refreshInBackground();
  }

  /** Adds promises that are computed on demand (the job store's queued outputs). */
  addComputedReservation(compute: () => number): void {
    this.#computed.push(compute);
  }

  /** usedBytes / budgetBytes: what the janitor weighs against its high-water mark. */
  usageFraction(): number {
    return this.usedBytes() / this.budgetBytes;
  }

  /**
   * Measures the folder with a walk that starts after this call (one walk at a time: while one runs,
   * callers share the next); resolves when that walk is done.
   */
  refresh(): Promise<void> {
    if (this.#walk) {
      this.#next ??= this.#walk.then(
        () => this.#startWalk(),
        () => this.#startWalk(),
      );
      return this.#next;
    }
    return this.#startWalk();
  }

  #startWalk(): Promise<void> {
    this.#next = null;
    const startedAt = this.#clock();
    const seqAtStart = this.#seq;
    this.#walk = this.#measure()
      .then((bytes) => {
        this.#measured = { at: startedAt, bytes };
        const stillPending = this.#settling.filter((entry) => entry.seq > seqAtStart);
        this.#settling.splice(0, this.#settling.length, ...stillPending);
      })
      .finally(() => {
        this.#walk = null;
      });
    return this.#walk;
  }

  #refreshInBackground(): void {
    this.refresh().catch((error: unknown) => this.#onWalkError(error));
  }

  /** Forget the measure: the next read starts a new walk (after deleting or writing a lot). */
  invalidate(): void {
    this.#measured = { ...this.#measured, at: Number.NEGATIVE_INFINITY };
  }

  #files(): string[] {
    const layout = this.#layout;
    return ['', '-wal', '-shm'].map((suffix) => `${layout.database}${suffix}`);
  }

  async #walkAsync(): Promise<number> {
    const layout = this.#layout;
    const sizes = await Promise.all([
      folderBytes(layout.uploads),
      folderBytes(layout.work),
      folderBytes(layout.outputs),
      ...this.#files().map((file) => fileBytes(file)),
    ]);
    return sizes.reduce((sum, bytes) => sum + bytes, 0);
  }
}

/** A budget that has measured the data folder once already. */
export async function createStorageBudget(opts: StorageBudgetOptions): Promise<StorageBudget> {
  const budget = new StorageBudget(opts);
  await budget.refresh();
  return budget;
}

const gone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** Bytes of every file under dir (symlinks counted as links, never followed); a file deleted meanwhile counts 0. */
async function folderBytes(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (gone(error)) return 0;
    throw error;
  }
  let total = 0;
  for (const name of names) {
    const entry = path.join(dir, name);
    try {
      const stats = await lstat(entry);
      total += stats.isDirectory() ? await folderBytes(entry) : stats.size;
    } catch (error) {
      if (!gone(error)) throw error;
    }
  }
  return total;
}

async function fileBytes(file: string): Promise<number> {
  try {
    return (await lstat(file)).size;
  } catch (error) {
    if (gone(error)) return 0;
    throw error;
  }
}

// statfs needs a path that exists; the data folder may not be created yet at start-up.
function existingAncestor(dir: string): string {
  let current = dir;
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}
