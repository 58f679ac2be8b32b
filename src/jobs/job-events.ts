/**
 * In-process notifications that a job changed: SSE streams subscribe to one job, lists to all.
 * Events carry only the job id; listeners read the current state from the store, so a missed or
 * coalesced event never shows stale data.
 */
export type JobListener = (jobId: string) => void;

const ALL = Symbol('all jobs');

export class JobEvents {
  readonly #listeners = new Map<string | typeof ALL, Set<JobListener>>();

  /** onListenerError: one broken subscriber (a closed connection) must not stop the worker or the others. */
  constructor(protected readonly onListenerError: (error: unknown) => void = () => {}) {}

  /** Returns the function that unsubscribes. */
  subscribe(jobId: string, listener: JobListener): () => void {
    return this.#add(jobId, listener);
  }

  /** Every job's changes (job lists, dashboards). */
  subscribeAll(listener: JobListener): () => void {
    return this.#add(ALL, listener);
  }

  publish(jobId: string): void {
    this.deliver(jobId);
  }

  /** Tells this process's listeners (a subclass may publish elsewhere first, see shared-events.ts). */
  protected deliver(jobId: string): void {
    this.#notify(jobId, jobId);
    this.#notify(ALL, jobId);
  }

  #add(key: string | typeof ALL, listener: JobListener): () => void {
    let set = this.#listeners.get(key);
    if (!set) {
      set = new Set();
      this.#listeners.set(key, set);
    }
    set.add(listener);
    const listeners = this.#listeners;
    return () => {
      set.delete(listener);
      if (set.size === 0 && listeners.get(key) === set) listeners.delete(key);
    };
  }

  #notify(key: string | typeof ALL, jobId: string): void {
    // A copy: a listener may unsubscribe while being notified.
    for (const listener of [...(this.#listeners.get(key) ?? [])]) {
      try {
        listener(jobId);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}

/** Same as `new JobEvents()`, for callers that compose with factory functions. */
export function createJobEvents(onListenerError?: (error: unknown) => void): JobEvents {
  return new JobEvents(onListenerError);
}
