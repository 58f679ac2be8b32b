/**
 * In-process notifications that a job changed: SSE streams subscribe to one job, lists to all.
 * Events carry only the job id; listeners read the current state from the store, so a missed or
 * coalesced event never shows stale data.
 */
export type JobListener = (jobId: string) => void;

export interface JobEvents {
  /** Returns the function that unsubscribes. */
  subscribe(jobId: string, listener: JobListener): () => void;
  /** Every job's changes (job lists, dashboards). */
  subscribeAll(listener: JobListener): () => void;
  publish(jobId: string): void;
}

const ALL = Symbol('all jobs');

export function createJobEvents(onListenerError: (error: unknown) => void = () => {}): JobEvents {
  const listeners = new Map<string | typeof ALL, Set<JobListener>>();

  function add(key: string | typeof ALL, listener: JobListener): () => void {
    let set = listeners.get(key);
    if (!set) {
      set = new Set();
      listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && listeners.get(key) === set) listeners.delete(key);
    };
  }

  function notify(key: string | typeof ALL, jobId: string): void {
    // A copy: a listener may unsubscribe while being notified.
    for (const listener of [...(listeners.get(key) ?? [])]) {
      try {
        listener(jobId);
      } catch (error) {
        // One broken subscriber (a closed connection) must not stop the worker or the others.
        onListenerError(error);
      }
    }
  }

  return {
    subscribe: (jobId, listener) => add(jobId, listener),
    subscribeAll: (listener) => add(ALL, listener),
    publish(jobId) {
      notify(jobId, jobId);
      notify(ALL, jobId);
    },
  };
}
