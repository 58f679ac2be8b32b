import { type EngineOptions, redrawPlanner } from '../media/index.js';
import type { JobDetail, SourceRecord } from './types.js';

/** How a job's output is planned again when vPDQ matched it: the job's plans came from planJob over its sources in order. */
export function jobRedrawPlanner(job: JobDetail, source: SourceRecord, engine: EngineOptions) {
  const sourceIndex = job.sources.findIndex((s) => s.id === source.id);
  return redrawPlanner({ ...job, preset: engine.preset, media: source.media, sourceIndex });
}
