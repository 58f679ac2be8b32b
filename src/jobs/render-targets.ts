import {
  type EngineOptions,
  type RenderRequestPlacement,
  type RenderTarget,
  sourceLoudnessTarget,
} from '../media/index.js';
import { type DataLayout, outputPath, thumbnailPath, workPath } from '../storage/layout.js';
import type { JobDetail, OutputRecord, SourceRecord } from './types.js';

/**
 * The render targets of a source's pending output rows. A row is one file; the placements of one
 * variation (same source, same index) render together as one target, so decode and effects run
 * once for all of them. Rows that are all in the source's shape render one target each, as always.
 */
export function renderTargets(job: JobDetail, pending: OutputRecord[], layout: DataLayout): RenderTarget[] {
  const own = (o: OutputRecord) => ({
    outputId: o.id,
    plan: o.plan,
    workPath: workPath(layout, o.id, 'mp4'),
    finalPath: outputPath(layout, job.id, o.id),
    thumbnailPath: thumbnailPath(layout, job.id, o.id),
  });
  if (pending.every((o) => o.format === 'source')) return pending.map(own);
  const variations = new Map<number, OutputRecord[]>();
  for (const o of pending) variations.set(o.index, [...(variations.get(o.index) ?? []), o]);
  return [...variations.values()].map((rows) => {
    const first = rows[0] as OutputRecord;
    // The variation's own id names its scratch files (fingerprint, hashes): no row has it.
    const id = `${first.id}-v`;
    return {
      outputId: id,
      plan: first.plan,
      workPath: workPath(layout, id, 'mp4'),
      finalPath: outputPath(layout, job.id, id),
      placements: rows.map((o) => ({ ...own(o), format: o.format })),
    };
  });
}

/** A job's fill and its source's loudness target (measured here, once per render of the source). */
export async function placementOptions(
  job: JobDetail,
  source: SourceRecord,
  inputPath: string,
  engine: EngineOptions,
  signal: AbortSignal,
): Promise<RenderRequestPlacement> {
  const choice = job.placement;
  if (!choice) return {};
  const loudness = await sourceLoudnessTarget({
    file: inputPath,
    media: source.media,
    targetLufs: choice.loudnessLufs,
    platform: choice.platform,
    options: engine,
    signal,
  });
  return { layout: choice.placements.layout, ...(loudness ? { loudness } : {}) };
}
