import type { JobDetail, OutputRecord } from '../jobs/types.js';
import {
  type PlacementChoice,
  type PlacementInput,
  resolvePlacement,
  sourceWarnings,
} from '../media/index.js';
import type { JobView, OutputView } from './schemas.js';

/** A request's placement fields as the engine reads them; undefined when none was given (the job keeps today's shape). */
export function placementOf(
  fields: PlacementInput & { formats?: readonly string[] | string },
): PlacementChoice | undefined {
  const given = [fields.formats, fields.fit, fields.padColour, fields.platform, fields.loudness].some(
    (v) => v !== undefined && v !== '',
  );
  return given ? resolvePlacement(fields) : undefined;
}

/** A job's placement choice and the platform limits its sources cannot meet. */
export function jobPlacementView(job: JobDetail): Pick<JobView, 'placement' | 'warnings'> {
  const choice = job.placement;
  if (!choice) return {};
  const platform = choice.platform;
  const warnings = platform
    ? job.sources.flatMap((s) =>
        sourceWarnings(platform, s.media).map((message) => ({ sourceId: s.id, message })),
      )
    : [];
  return {
    placement: {
      formats: choice.placements.formats,
      fit: choice.placements.layout.fit,
      padColour: choice.placements.layout.padColour,
      platform,
      loudness: choice.loudnessLufs,
    },
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** An output's placement, and once rendered its measured loudness and platform checks. */
export function outputPlacementView(output: OutputRecord): Partial<OutputView> {
  const record = output.placement;
  return {
    format: output.format,
    ...(record
      ? { fit: record.fit, platform: record.platform, loudness: record.loudness, checks: record.checks }
      : {}),
  };
}
