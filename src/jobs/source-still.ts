import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import type { Logger } from 'pino';
import { type EngineOptions, writeSourceStill } from '../media/index.js';
import type { FileAudit } from '../storage/file-audit.js';
import { type DataLayout, sourcePath, sourceStillPath, workPath } from '../storage/layout.js';
import type { SourceRecord } from './types.js';

/**
 * The still the job screen shows as "Original" beside a source's variations, made once per job and
 * source before rendering (one frame: a fraction of a second). A failure only costs the picture: it
 * is logged and the batch goes on.
 */
export async function keepSourceStill(
  deps: { layout: DataLayout; engine: EngineOptions; audit: FileAudit },
  jobId: string,
  source: SourceRecord,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  const still = sourceStillPath(deps.layout, jobId, source.id);
  if (existsSync(still)) return;
  // Written in work/ and renamed: a still cut off by a crash is never taken for a whole one. Named by
  // job and source, as two batches may share a source.
  const scratch = workPath(deps.layout, jobId, `${source.id}.jpg`);
  try {
    await writeSourceStill(sourcePath(deps.layout, source.id), source.media, scratch, deps.engine, signal);
    await rename(scratch, still);
    deps.audit.created(still, jobId);
  } catch (error) {
    if (signal.aborted) throw error;
    log.warn({ err: error, event: 'source_still_failed', sourceId: source.id }, 'no still of the source');
  }
}
