import { rename, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { admitMedia } from '../media/admission/admission.js';
import type { EngineOptions } from '../media/options.js';
import type { FileAudit } from '../storage/file-audit.js';
import { type DataLayout, sourcePath } from '../storage/layout.js';
import type { JobStore, UploadRecord } from './types.js';

/**
 * Turns a file that finished arriving (tus or multipart) into an admitted upload: probed under the
 * engine's rules, moved to uploads/<id>.src and recorded. A refused file is deleted before the
 * refusal (a MediaError a marketer can read) goes back to the caller.
 */
export interface UploadServiceDeps {
  store: JobStore;
  layout: DataLayout;
  engine: EngineOptions;
  audit: FileAudit;
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
  discard(id: string): void;
}

export function createUploadService(deps: UploadServiceDeps): UploadService {
  const { store, layout, audit, logger } = deps;

  const service: UploadService = {
    async admit(file, signal) {
      const destination = sourcePath(layout, file.id);
      try {
        const media = await admitMedia(file.path, file.name, deps.engine, signal);
        const { size } = await stat(file.path);
        if (file.path !== destination) await rename(file.path, destination);
        const record: UploadRecord = {
          id: file.id,
          name: file.name,
          sizeBytes: size,
          media,
          createdAt: deps.now(),
        };
        store.addUpload(record);
        audit.created(destination);
        logger.info({ uploadId: file.id, sizeBytes: size }, 'upload admitted');
        return record;
      } catch (error) {
        audit.remove(file.path);
        audit.remove(destination);
        throw error;
      }
    },

    async admitAll(files) {
      const outcomes: Array<PromiseSettledResult<UploadRecord> | undefined> = [];
      let next = 0;
      const lane = async () => {
        while (next < files.length) {
          const index = next++;
          const file = files[index] as ReceivedFile;
          // Once one file is refused, the rest are not worth probing.
          if (outcomes.some((o) => o?.status === 'rejected')) {
            audit.remove(file.path);
            continue;
          }
          outcomes[index] = await service.admit(file).then(
            (value) => ({ status: 'fulfilled', value }) as const,
            (reason: unknown) => ({ status: 'rejected', reason }) as const,
          );
        }
      };
      // One lane more than cores: each admission is a chain of short processes with gaps between them.
      const lanes = Math.max(1, Math.min(deps.engine.cpus + 1, files.length));
      await Promise.all(Array.from({ length: lanes }, lane));
      const refused = outcomes.find((o): o is PromiseRejectedResult => o?.status === 'rejected');
      if (!refused) return files.map((f) => f.id);
      for (const o of outcomes) if (o?.status === 'fulfilled') service.discard(o.value.id);
      throw refused.reason;
    },

    discard(id) {
      store.deleteUpload(id);
      audit.remove(sourcePath(layout, id));
    },
  };
  return service;
}
