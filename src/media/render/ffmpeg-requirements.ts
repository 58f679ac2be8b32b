import { EFFECTS } from '../effects/catalog.js';
import { POINT_OPS_FILTERS } from '../effects/point-ops.js';
import { checkFfmpeg, type FfmpegCapabilities, type FfmpegRequirements } from '../ffmpeg/capabilities.js';
import type { EngineOptions } from '../options.js';
import { LOUDNESS_MEASURE_FILTERS } from '../verify/loudness.js';
import { RENDER_COMMAND_FILTERS } from './render-command.js';
import { SIDE_OUTPUT_FILTERS } from './side-outputs.js';

/**
 * What vidvar's commands need of FFmpeg, derived from what writes them: each effect's declared
 * filters, the fused point operations, the render command's and the side outputs' own, and the
 * loudness measurement's (run on every source and output when a job sets a target). Adding an
 * effect adds its filters to the start-up check; nothing else lists them.
 */
export function renderRequirements(): FfmpegRequirements {
  const filters = new Set([
    ...EFFECTS.flatMap((e) => e.filters),
    ...POINT_OPS_FILTERS,
    ...RENDER_COMMAND_FILTERS,
    ...SIDE_OUTPUT_FILTERS,
    ...LOUDNESS_MEASURE_FILTERS,
  ]);
  return {
    // H.264 and AAC outputs, the JPEG thumbnail, the raw grey fingerprint frames.
    encoders: ['libx264', 'aac', 'mjpeg', 'rawvideo'],
    filters: [...filters].sort(),
    // Drops x264's SEI (its version string) from every output.
    bitstreamFilters: ['filter_units'],
  };
}

/** The start-up check: is this FFmpeg build able to run every command vidvar may write? */
export function checkRenderFfmpeg(options: EngineOptions): Promise<FfmpegCapabilities> {
  return checkFfmpeg(options, renderRequirements());
}
