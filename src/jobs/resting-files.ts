import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { removeStoredJob } from '../storage/bucket-sweep.js';
import type { FileAudit } from '../storage/file-audit.js';
import { type FileStore, keyOf } from '../storage/file-store.js';
import {
  type DataLayout,
  outputPath,
  sourcePath,
  sourceStillPath,
  thumbnailPath,
} from '../storage/layout.js';

/**
 * Deletes a job's objects from the bucket: its outputs, thumbnails and stills, and the sources it
 * had not used up. Local mode has none. A failure is logged, not thrown: the record is gone by then,
 * so the janitor's sweep of the bucket takes what stayed (as it takes an output a worker stored
 * just after the cancel reached it).
 */
export async function removeJobObjects(
  files: FileStore | undefined,
  layout: DataLayout,
  job: { id: string; sources: Array<{ id: string; deleted: boolean }> },
  log: Logger,
): Promise<void> {
  if (!files || files.kind === 'local') return;
  try {
    await removeStoredJob(files, layout, job);
  } catch (error) {
    log.warn({ err: error, event: 'objects_not_removed', jobId: job.id }, 'job objects left in the bucket');
  }
}

/** Why an output the checks passed is failed anyway: the bucket did not take it. */
export const STORE_FAILED_PREFIX = 'The finished video could not be stored: ';

/** What came of publishing an output: stored, refused (with the reason for the user), or cut by a cancel. */
export type Stored = { ok: true } | { ok: false; message: string } | { ok: false; aborted: true };

/**
 * A worker's steps between its data folder and where files rest. In S3 mode the folder is only a
 * working cache: a source is fetched from the bucket before it renders (this worker may never have
 * seen it), each output is published once its checks pass and before its record says done, and a
 * source whose outputs are all done leaves the bucket too. In local mode files already rest where
 * they are written, and every step is a no-op.
 */
export interface RestingFiles {
  /** null once the source is in the data folder (or is simply not anywhere); else why it could not be fetched. */
  fetchSource(sourceId: string, signal: AbortSignal): Promise<string | null>;
  /** Publishes a checked output's video and thumbnail; on failure neither stays, here or in the bucket. Never rejects. */
  publishOutput(jobId: string, outputId: string, signal: AbortSignal, log: Logger): Promise<Stored>;
  /** Publishes the source's still; a failure only costs the picture, so it is logged. */
  publishStill(jobId: string, sourceId: string, log: Logger): Promise<void>;
  /** The source's object, once the data folder's copy has gone. */
  removeSource(sourceId: string, log: Logger): Promise<void>;
}

const LOCAL: RestingFiles = {
  fetchSource: async () => null,
  publishOutput: async () => ({ ok: true }),
  publishStill: async () => undefined,
  removeSource: async () => undefined,
};

export function restingFiles(
  files: FileStore | undefined,
  layout: DataLayout,
  audit: FileAudit,
): RestingFiles {
  if (!files || files.kind === 'local') return LOCAL;
  const key = (file: string) => keyOf(layout.root, file);
  return {
    async fetchSource(sourceId, signal) {
      try {
        await files.ensureLocal(key(sourcePath(layout, sourceId)), signal);
        return null;
      } catch (error) {
        if (signal.aborted) throw error;
        return (error as Error).message;
      }
    },

    async publishOutput(jobId, outputId, signal, log) {
      const video = outputPath(layout, jobId, outputId);
      const still = thumbnailPath(layout, jobId, outputId);
      const published: string[] = [];
      try {
        for (const [file, contentType] of [
          [video, 'video/mp4'],
          [still, 'image/jpeg'],
        ] as const) {
          // The thumbnail is optional (a failed one only costs the picture); the video is there.
          if (file === still && !existsSync(file)) continue;
          await files.publish(key(file), { contentType, signal });
          published.push(key(file));
        }
        return { ok: true };
      } catch (error) {
        // Neither half of an output stays: what went up comes down, what is here goes.
        for (const done of published) {
          try {
            await files.remove(done);
          } catch (removal) {
            // The sweep of the bucket takes it later: no record knows it.
            log.warn(
              { err: removal, event: 'object_not_removed', key: done },
              'half an output left in the bucket',
            );
          }
        }
        for (const file of [video, still]) audit.remove(file, jobId);
        if (signal.aborted) return { ok: false, aborted: true };
        return { ok: false, message: `${STORE_FAILED_PREFIX}${(error as Error).message}` };
      }
    },

    async publishStill(jobId, sourceId, log) {
      const still = sourceStillPath(layout, jobId, sourceId);
      try {
        if (!existsSync(still)) return;
        await files.publish(key(still), { contentType: 'image/jpeg' });
      } catch (error) {
        log.warn(
          { err: error, event: 'source_still_not_stored', sourceId },
          'still of the source not stored',
        );
      }
    },

    async removeSource(sourceId, log) {
      try {
        await files.remove(key(sourcePath(layout, sourceId)));
      } catch (error) {
        // The record says deleted: the janitor's sweep of the bucket takes the object later.
        log.warn({ err: error, event: 'source_not_removed', sourceId }, 'source left in the bucket');
      }
    },
  };
}
