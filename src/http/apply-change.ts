import type { JobChange, JobView } from './schemas.js';

/**
 * A `change` event applied to the job view it follows: what a viewer of the event stream does.
 * Type imports only, so the web client uses this same function.
 */
export function applyJobChange(view: JobView, change: JobChange): JobView {
  if (change.id !== view.id) return view;
  const changed = new Map(change.outputs.map((output) => [output.id, output]));
  const { error: _previous, ...rest } = view;
  return {
    ...rest,
    status: change.status,
    progress: change.progress,
    updatedAt: change.updatedAt,
    ...(change.error === null ? {} : { error: change.error }),
    outputs: view.outputs.map((output) => changed.get(output.id) ?? output),
  };
}
