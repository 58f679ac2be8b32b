/**
 * What the layers above (jobs, http, storage, the CLI and the server's wiring) use of the engine: they
 * import media from here only, so the stages behind it can move without touching them.
 */

export { admitMedia } from './admission/admission.js';
export { EXCLUDABLE, exclusionProblem, normaliseExclusions } from './effect-choice.js';
export { effectById } from './effects/catalog.js';
export { FfmpegError } from './ffmpeg/ffmpeg-error.js';
export { wrapperAvailable } from './ffmpeg/process-limits.js';
export { createProcessSlots, type Ticket } from './ffmpeg/process-slots.js';
export { ffmpegVersion } from './ffmpeg/version.js';
export {
  MANIFEST_VERSION,
  type Manifest,
  manifestOutput,
  manifestSource,
  outputFileName,
  uniqueStems,
} from './manifest.js';
export { type EngineOptions, engineOptions } from './options.js';
export { videoRateCap } from './plan/encode-settings.js';
export { outputGeometry } from './plan/output-format.js';
export { FITS, FORMATS, type FormatName, formatGeometry } from './plan/placement.js';
export {
  DEFAULT_CHOICE,
  type PlacementChoice,
  type PlacementInput,
  resolvePlacement,
} from './plan/placement-request.js';
export { type EffectChoice, planJob, redrawPlanner } from './plan/planner.js';
export { PLATFORM_LIMITS, PLATFORMS, type PlatformName } from './plan/platforms.js';
export { type BatchEvent, prepareBatch, runBatch } from './render/batch.js';
export { batchScript } from './render/batch-script.js';
export { checkRenderFfmpeg } from './render/ffmpeg-requirements.js';
export { type PlacementRecord, placementRecord } from './render/placement-record.js';
export { renderVariations } from './render/render.js';
export type { RenderRequestPlacement, RenderResult, RenderTarget } from './render/render-types.js';
export { sourceLoudnessTarget } from './render/source-loudness.js';
export { writeSourceStill } from './render/source-still.js';
export {
  INTENSITIES,
  type Intensity,
  type MediaInfo,
  type PlannedEffect,
  type VariationPlan,
} from './types.js';
export { describeComparison } from './verify/compare-summary.js';
export { compareVideoFiles, type VideoComparison } from './verify/compare-videos.js';
export type { Distinctness, Redraw } from './verify/distinctness.js';
export { sourceWarnings } from './verify/platform-checks.js';
export type { VpdqMeasure } from './verify/vpdq-distinctness.js';
