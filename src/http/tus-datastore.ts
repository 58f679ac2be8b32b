import { createWriteStream, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FileStore as TusFileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';
import type { DataStore } from '@tus/server';
import type { FileStore } from '../storage/file-store.js';
import type { DataLayout } from '../storage/layout.js';
import { type S3Settings, s3ClientConfig } from '../storage/s3-settings.js';

/** tus's parts in the bucket: the same size as the FileStore's publish, the least S3 allows is 5 MiB. */
const TUS_PART_BYTES = 8 * 1024 * 1024;

/**
 * Where tus keeps an upload while it arrives: the data folder, or in S3 mode the bucket, so that a
 * client may resume on whichever API process its next request reaches. Admission probes a local
 * file either way: `localFile` gives one, `forget` drops tus's own copy and record once admitted.
 */
export interface TusDatastore {
  datastore: DataStore;
  localFile(id: string): Promise<string>;
  forget(id: string): Promise<void>;
}

export function createTusDatastore(
  layout: DataLayout,
  files: FileStore,
  settings: S3Settings | null,
): TusDatastore {
  // FileStore's constructor starts its own mkdir and throws from the callback if that fails (say the
  // data folder is being removed), which nothing can catch; made here first, its mkdir finds it made.
  mkdirSync(layout.tus, { recursive: true });
  const local = (id: string) => path.join(layout.tus, id);
  if (settings === null || files.kind === 'local') {
    const datastore = new TusFileStore({ directory: layout.tus });
    return {
      datastore,
      localFile: async (id) => local(id),
      // tus's own record of a finished upload (the bytes were moved by admission).
      forget: (id) => datastore.configstore.delete(id),
    };
  }
  const datastore = new S3Store({
    partSize: TUS_PART_BYTES,
    s3ClientConfig: { ...s3ClientConfig(settings), bucket: settings.bucket },
  });
  return {
    datastore,
    async localFile(id) {
      // tus names the object by the upload id alone, at the top of the bucket.
      const opened = await files.open(id);
      if (!opened) throw new Error(`finished upload ${id} is not in the bucket`);
      const file = local(id);
      try {
        await pipeline(opened.stream, createWriteStream(file));
      } catch (error) {
        await rm(file, { force: true });
        throw error;
      }
      return file;
    },
    async forget(id) {
      await files.remove(id);
      await files.remove(`${id}.info`);
    },
  };
}
