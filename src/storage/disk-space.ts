import { existsSync, lstatSync, readdirSync, statfsSync } from 'node:fs';
import path from 'node:path';
import type { DataLayout } from './layout.js';

export interface DiskUsage {
  /** Bytes an unprivileged process may still write. */
  freeBytes: number;
  totalBytes: number;
}

export function diskUsage(dir: string): DiskUsage {
  const stats = statfsSync(dir);
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}

/** Bytes of every file under dir (symlinks counted as links, never followed). */
function folderBytes(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  for (const name of names) {
    const entry = path.join(dir, name);
    try {
      const stats = lstatSync(entry);
      total += stats.isDirectory() ? folderBytes(entry) : stats.size;
    } catch (error) {
      // Deleted between readdir and lstat: it no longer uses space.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return total;
}

export interface StorageBudgetOptions {
  layout: DataLayout;
  /** Default: the size of the volume holding DATA_DIR. */
  budgetBytes?: number;
  clock?: () => number;
  cacheMs?: number;
}

/**
 * How much of the storage budget DATA_DIR uses. The budget defaults to the whole volume; the used
 * bytes are a walk of the data folder, cached for cacheMs because uploads and job creation ask often.
 */
export class StorageBudget {
  readonly budgetBytes: number;
  readonly #layout: DataLayout;
  readonly #clock: () => number;
  readonly #cacheMs: number;
  #cached: { at: number; bytes: number } | null = null;

  constructor(opts: StorageBudgetOptions) {
    this.#layout = opts.layout;
    this.#clock = opts.clock ?? Date.now;
    this.#cacheMs = opts.cacheMs ?? 5000;
    this.budgetBytes = opts.budgetBytes ?? diskUsage(existingAncestor(opts.layout.root)).totalBytes;
  }

  usedBytes(): number {
    const now = this.#clock();
    if (this.#cached && now - this.#cached.at < this.#cacheMs) return this.#cached.bytes;
    const layout = this.#layout;
    const dbFiles = ['', '-wal', '-shm'].map((suffix) => `${layout.database}${suffix}`);
    const bytes =
      folderBytes(layout.uploads) +
      folderBytes(layout.work) +
      folderBytes(layout.outputs) +
      dbFiles.reduce((sum, file) => sum + (existsSync(file) ? lstatSync(file).size : 0), 0);
    this.#cached = { at: now, bytes };
    return bytes;
  }

  /** True when bytes more fit both in the budget and on the volume. */
  canFit(bytes: number): boolean {
    const free = diskUsage(existingAncestor(this.#layout.root)).freeBytes;
    return this.usedBytes() + bytes <= this.budgetBytes && bytes <= free;
  }

  /** usedBytes / budgetBytes. */
  usageFraction(): number {
    return this.usedBytes() / this.budgetBytes;
  }

  /** Forget the cached walk (after deleting or writing a lot). */
  invalidate(): void {
    this.#cached = null;
  }
}

/** Same as `new StorageBudget(opts)`, for callers that compose with factory functions. */
export function createStorageBudget(opts: StorageBudgetOptions): StorageBudget {
  return new StorageBudget(opts);
}

// statfs needs a path that exists; the data folder may not be created yet at start-up.
function existingAncestor(dir: string): string {
  let current = dir;
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}
