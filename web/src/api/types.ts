/**
 * Shapes of the HTTP API, as the browser receives them: the server's own schemas, never a copy.
 * Type-only imports vanish from the bundle; the job states and limits are plain values.
 */

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
