import { createReadStream } from 'node:fs';
import { readdir, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileAudit } from './file-audit.js';
import {
  checkedKey,
  checkedPrefix,
  type FileStore,
  type StoredFile,
  type UnfinishedUpload,
} from './file-store.js';
import type { DataLayout } from './layout.js';

/**
 * Read size: the ZIP reads through here, and archiver's per-chunk overhead (CRC, stream hops)
 * dominates at the default 64 KiB; 1 MiB chunks serve the ZIP ~1.6× faster for 1 MiB more memory.
 */
const READ_CHUNK_BYTES = 1 << 20;

/** Files rest where they were written, in the data folder: today's behaviour, with no other service. */
export class LocalFileStore implements FileStore {
  readonly kind = 'local' as const;

  constructor(
    private readonly layout: DataLayout,
    private readonly audit: FileAudit,
  ) {}

  private pathOf(key: string): string {
    return path.join(this.layout.root, ...checkedKey(key).split('/'));
  }

  async publish(key: string): Promise<void> {
    // Already where it rests; only the key is checked, so a bad key fails here as in S3 mode.
    this.pathOf(key);
  }

  async ensureLocal(key: string): Promise<string | null> {
    const file = this.pathOf(key);
    return (await statOrNull(file)) ? file : null;
  }

  async open(key: string, range?: { start: number; end: number }) {
    const file = this.pathOf(key);
    const found = await statOrNull(file);
    if (!found) return null;
    const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES, ...range });
    return { stream, size: found.size };
  }

  async stat(key: string) {
    const found = await statOrNull(this.pathOf(key));
    return found ? { size: found.size, modifiedMs: found.mtimeMs } : null;
  }

  async remove(key: string): Promise<void> {
    this.audit.remove(this.pathOf(key));
  }

  async removePrefix(prefix: string): Promise<number> {
    let count = 0;
    for await (const file of this.list(prefix)) {
      this.audit.remove(this.pathOf(file.key));
      count++;
    }
    // A folder prefix (outputs/<jobId>/) goes with its files, as removing a job's outputs did before.
    if (prefix.endsWith('/')) await rmdir(this.pathOf(prefix.slice(0, -1))).catch(ignoreGone);
    return count;
  }

  async *list(prefix: string): AsyncIterable<StoredFile> {
    checkedPrefix(prefix);
    // Walk only the deepest folder the prefix names, then filter by the rest of it as S3 does.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    yield* this.walk(folder, prefix);
  }

  private async *walk(folder: string, prefix: string): AsyncIterable<StoredFile> {
    const dir = folder === '' ? this.layout.root : this.pathOf(folder);
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names) {
      const key = folder === '' ? name : `${folder}/${name}`;
      const found = await statOrNull(path.join(dir, name));
      if (!found) continue;
      if (found.isDirectory()) {
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walk(key, prefix);
      } else if (key.startsWith(prefix)) {
        yield { key, size: found.size, modifiedMs: found.mtimeMs };
      }
    }
  }

  async downloadUrl(): Promise<null> {
    return null;
  }

  // A file is written whole where it rests: there are no multipart uploads to leave behind.
  async *unfinishedUploads(): AsyncIterable<UnfinishedUpload> {}

  async abandonUpload(): Promise<void> {}
}

async function statOrNull(file: string) {
  try {
    return await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The folder may be gone already or still hold other files: either way there is nothing to do. */
function ignoreGone(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT' && error.code !== 'ENOTEMPTY') throw error;
}
