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

/**
 * How much of the storage budget DATA_DIR uses. The budget defaults to the whole volume; the used
 * bytes are a walk of the data folder, cached for cacheMs because uploads and job creation ask often.
 */
export interface StorageBudget {
  readonly budgetBytes: number;
  usedBytes(): number;
  /** True when bytes more fit both in the budget and on the volume. */
  canFit(bytes: number): boolean;
  /** usedBytes / budgetBytes. */
  usageFraction(): number;
  /** Forget the cached walk (after deleting or writing a lot). */
  invalidate(): void;
}

export function createStorageBudget(opts: {
  layout: DataLayout;
  budgetBytes?: number;
  clock?: () => number;
  cacheMs?: number;
}): StorageBudget {
  const { layout, clock = Date.now, cacheMs = 5000 } = opts;
  const budgetBytes = opts.budgetBytes ?? diskUsage(existingAncestor(layout.root)).totalBytes;
  let cached: { at: number; bytes: number } | null = null;

  function usedBytes(): number {
    const now = clock();
    if (cached && now - cached.at < cacheMs) return cached.bytes;
    const dbFiles = ['', '-wal', '-shm'].map((suffix) => `${layout.database}${suffix}`);
    const bytes =
      folderBytes(layout.uploads) +
      folderBytes(layout.work) +
      folderBytes(layout.outputs) +
      dbFiles.reduce((sum, file) => sum + (existsSync(file) ? lstatSync(file).size : 0), 0);
    cached = { at: now, bytes };
    return bytes;
  }

  return {
    budgetBytes,
    usedBytes,
    canFit(bytes) {
      const free = diskUsage(existingAncestor(layout.root)).freeBytes;
      return usedBytes() + bytes <= budgetBytes && bytes <= free;
    },
    usageFraction: () => usedBytes() / budgetBytes,
    invalidate() {
      cached = null;
    },
  };
}

// statfs needs a path that exists; the data folder may not be created yet at start-up.
function existingAncestor(dir: string): string {
  let current = dir;
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}
