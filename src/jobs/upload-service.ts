import { rename, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { mapPool } from '../lib/map-pool.js';
import { admitMedia, type EngineOptions } from '../media/index.js';
import type { FileAudit } from '../storage/file-audit.js';
import { type FileStore, keyOf, storageUnavailableError } from '../storage/file-store.js';
import { type DataLayout, sourcePath } from '../storage/layout.js';
import type { JobStore, UploadRecord } from './types.js';

/**
 * Turns a file that finished arriving (tus or multipart) into an admitted upload: probed under the
 * engine's rules, moved to uploads/<id>.src, published (to the bucket in S3 mode) and recorded. A
 * refused file is deleted before the refusal (a MediaError a marketer can read) goes back to the
 * caller.
 */
export interface UploadServiceDeps {
  store: JobStore;
  layout: DataLayout;
  engine: EngineOptions;
  audit: FileAudit;
  /** Where admitted sources rest; the probe always reads the local file. */
  files: FileStore;
  now: () => number;
  logger: Logger;
}

export interface ReceivedFile {
  /** Server-made id, checked by the layout: becomes the upload id and the source id. */
  id: string;
  /** Where the bytes landed (inside DATA_DIR). */
  path: string;
  /** Client file name: metadata only. */
  name: string;
}

export interface UploadService {
  admit(file: ReceivedFile, signal?: AbortSignal): Promise<UploadRecord>;
  /**
   * Admits the files of one batch, as many at once as FFmpeg has cores. All or nothing: when one is
   * refused, every other file of the batch is deleted too, and the refusal of the first file (in
   * the batch's order) that failed is thrown.
   */
  admitAll(files: ReceivedFile[]): Promise<string[]>;
  /** Deletes an admitted upload that no job uses (e.g. another file of the same batch was refused). */
  discard(id: string): Promise<void>;
}

export function createUploadService(deps: UploadServiceDeps): UploadService {
  const { store, layout, audit, files, logger } = deps;

  async function publishSource(key: string, signal?: AbortSignal): Promise<void> {
    try {
      await files.publish(key, { contentType: 'application/octet-stream', ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw error;
      // The file was fine; the bucket did not take it even after retries. The cause goes to the log.
      logger.error({ err: error, key }, 'source not stored');
      throw storageUnavailableError(error);
    }
  }

  const service: UploadService = {
    async admit(file, signal) {
      const destination = sourcePath(layout, file.id);
      const key = keyOf(layout.root, destination);
      let published = false;
      try {
        const media = await admitMedia(file.path, file.name, deps.engine, signal);
        const { size } = await stat(file.path);
        if (file.path !== destination) await rename(file.path, destination);
        audit.created(destination);
        // Before the record: an upload is never listed while its file is not where it rests.
        await publishSource(key, signal);
        published = true;
        const record: UploadRecord = {
          id: file.id,
          name: file.name,
          sizeBytes: size,
          media,
          createdAt: deps.now(),
        };
        await store.addUpload(record);
        logger.info({ uploadId: file.id, sizeBytes: size }, 'upload admitted');
        return record;
      } catch (error) {
        audit.remove(file.path);
        audit.remove(destination);
        if (published) await files.remove(key);
        throw error;
      }
    },

    async admitAll(files) {
      const outcomes: Array<PromiseSettledResult<UploadRecord>> = [];
      try {
        // One lane more than cores: each admission is a chain of short processes with gaps between
        // them. A refusal stops the pool: the rest of the batch is not worth probing.
        await mapPool(files, deps.engine.cpus + 1, async (file, index) => {
          try {
            outcomes[index] = { status: 'fulfilled', value: await service.admit(file) };
          } catch (reason) {
            outcomes[index] = { status: 'rejected', reason };
            throw reason;
          }
        });
        return files.map((f) => f.id);
      } catch {
        // Every refusal is in `outcomes`: the user hears of the first in the batch's order, not in time.
        for (const [index, file] of files.entries()) {
          const outcome = outcomes[index];
          if (outcome?.status === 'fulfilled') await service.discard(outcome.value.id);
          else if (outcome === undefined) audit.remove(file.path); // never probed
        }
        const refused = outcomes.find((o): o is PromiseRejectedResult => o?.status === 'rejected');
        throw refused?.reason;
      }
    },

    async discard(id) {
      await store.deleteUpload(id);
      const file = sourcePath(layout, id);
      audit.remove(file);
      if (files.kind === 's3') {
        try {
          await files.remove(keyOf(layout.root, file));
        } catch (error) {
          // The record is gone, so nothing will use the object: the janitor's sweep of the bucket takes it.
          logger.warn({ err: error, uploadId: id }, 'source not deleted from the bucket');
        }
      }
    },
  };
  return service;
}
