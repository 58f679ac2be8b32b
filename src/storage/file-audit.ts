import { lstatSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { type DataLayout, relativeToData } from './layout.js';

/**
 * Every file the server creates or deletes under DATA_DIR goes through here, so the log is a complete
 * audit trail: one line per file, path relative to DATA_DIR, size in bytes.
 */
export interface FileAudit {
  /** Logs a file that was just written (by FFmpeg, an upload, …). */
  created(file: string, jobId?: string): void;
  /** Deletes a file if present and logs it; returns the bytes freed. */
  remove(file: string, jobId?: string): number;
  /** Deletes a folder and everything in it, one log line per file; returns the bytes freed. */
  removeTree(dir: string, jobId?: string): number;
}

function sizeOf(file: string): number | null {
  try {
    return lstatSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function createFileAudit(layout: DataLayout, logger: Logger): FileAudit {
  function log(event: 'file_created' | 'file_deleted', file: string, bytes: number, jobId?: string): void {
    logger.info({ event, ...(jobId ? { jobId } : {}), path: relativeToData(layout, file), bytes }, event);
  }

  function remove(file: string, jobId?: string): number {
    const bytes = sizeOf(file);
    if (bytes === null) return 0;
    rmSync(file, { force: true });
    log('file_deleted', file, bytes, jobId);
    return bytes;
  }

  function removeTree(dir: string, jobId?: string): number {
    let entries: string[];
    try {
      if (!lstatSync(dir).isDirectory()) return remove(dir, jobId);
      entries = readdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let freed = 0;
    for (const name of entries) freed += removeTree(path.join(dir, name), jobId);
    rmdirSync(dir);
    return freed;
  }

  return {
    created(file, jobId) {
      log('file_created', file, statSync(file).size, jobId);
    },
    remove,
    removeTree,
  };
}
