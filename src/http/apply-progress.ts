import type { JobProgress, JobView } from './schemas.js';

/**
 * A `progress` event applied to the job view it follows: what a viewer of the event stream does.
 * Type imports only, so the web client uses this same function.
 */
export function applyJobProgress(view: JobView, progress: JobProgress): JobView {
  if (progress.id !== view.id) return view;
  const moved = new Map(progress.outputs.map((output) => [output.id, output.progress]));
  return {
    ...view,
    progress: progress.progress,
    updatedAt: progress.updatedAt,
    outputs: view.outputs.map((output) => {
      const value = moved.get(output.id);
      return value === undefined ? output : { ...output, progress: value };
    }),
  };
}
