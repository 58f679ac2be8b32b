/**
 * Shapes of the HTTP API, as the browser receives them: the server's own schemas, never a copy.
 * Type-only imports vanish from the bundle; the job states and limits are plain values.
 */

export { batchNameProblem, defaultBatchName, MAX_BATCH_NAME_LENGTH } from '../../../src/batch-name.js';
export { applyJobChange } from '../../../src/http/apply-change.js';
export { MAX_OUTPUTS_PER_SOURCE } from '../../../src/http/limits.js';
export type {
  ApiTokenView,
  CreateJobBody as NewJobRequest,
  DistinctnessView,
  EffectView,
  Intensity,
  JobChange,
  JobStatus,
  JobView,
  NewApiTokenView,
  OutputStatus,
  OutputView,
  SourceView,
  UploadInfo,
  WebhookView,
} from '../../../src/http/schemas.js';
export { isFinishedJob as isFinished } from '../../../src/job-status.js';
export {
  EFFECT_CHOICES,
  EFFECT_FAMILIES,
  type EffectFamily,
  EXCLUDABLE,
  excludedEffects,
  exclusionProblem,
  TEXT_UNSAFE_EFFECTS,
} from '../../../src/media/effect-choice.js';
