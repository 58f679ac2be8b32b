import { isFinishedJob } from '../job-status.js';
import type { JobEvents } from '../jobs/job-events.js';
import type { JobChange, JobView } from './schemas.js';

/**
 * One live feed per watched job, shared by all its event streams: a change is read from the store
 * and turned into text once, whatever the number of viewers. It goes out as a small `change` event
 * with the job's moving fields and the outputs that changed; a viewer that joins or falls behind gets
 * the whole job instead.
 */
export interface FeedUpdate {
  /** Increases with every change; a viewer that missed one asks for `snapshot()`. */
  version: number;
  /** `event: change` text from the previous version to this one, or null when the outputs were replaced. */
  delta: string | null;
  /** The job has finished (or was deleted): the last event of every stream. */
  final: boolean;
  /** The whole current job as an event, for a viewer that cannot apply the delta. */
  snapshot: () => string;
}

export interface FeedViewer {
  update(update: FeedUpdate): void;
}

export class JobFeed {
  #view: JobView;
  #version = 0;
  #snapshot: string | null = null;
  readonly #viewers = new Set<FeedViewer>();

  constructor(view: JobView) {
    this.#view = view;
  }

  get version(): number {
    return this.#version;
  }

  get final(): boolean {
    return isFinishedJob(this.#view.status);
  }

  /** `event: job` with the whole current view; built once per version. */
  snapshot(): string {
    this.#snapshot ??= `event: job\ndata: ${JSON.stringify(this.#view)}\n\n`;
    return this.#snapshot;
  }

  /** Takes the job's new state (null: deleted, which a viewer sees as canceled). */
  change(next: JobView | null): void {
    const view = next ?? { ...this.#view, status: 'canceled' as const };
    const delta = changeBetween(this.#view, view);
    this.#view = view;
    this.#version++;
    this.#snapshot = null;
    const update: FeedUpdate = {
      version: this.#version,
      delta: delta ? `event: change\ndata: ${JSON.stringify(delta)}\n\n` : null,
      final: isFinishedJob(view.status),
      snapshot: () => this.snapshot(),
    };
    for (const viewer of [...this.#viewers]) viewer.update(update);
  }

  add(viewer: FeedViewer): void {
    this.#viewers.add(viewer);
  }

  /** True when it was the last viewer. */
  remove(viewer: FeedViewer): boolean {
    this.#viewers.delete(viewer);
    return this.#viewers.size === 0;
  }
}

/** What changed between two views of a job; null when its list of outputs itself changed. */
function changeBetween(before: JobView, after: JobView): JobChange | null {
  if (before.outputs.length !== after.outputs.length) return null;
  const outputs: JobChange['outputs'] = [];
  for (let i = 0; i < after.outputs.length; i++) {
    const a = before.outputs[i];
    const b = after.outputs[i];
    if (!a || !b || a.id !== b.id) return null;
    // Cheap checks first: most outputs of a busy job did not move at all.
    if (a.status !== b.status || a.progress !== b.progress || JSON.stringify(a) !== JSON.stringify(b)) {
      outputs.push(b);
    }
  }
  return {
    id: after.id,
    status: after.status,
    progress: after.progress,
    updatedAt: after.updatedAt,
    error: after.error ?? null,
    outputs,
  };
}

/**
 * The feeds of all watched jobs; a feed lives while someone watches its job. Reading a job may take a
 * round trip (Redis): changes that arrive during a read are folded into one more read after it, so a
 * feed applies the job's states in order and never falls further behind than one read.
 */
export class JobFeeds {
  readonly #feeds = new Map<string, { feed: JobFeed; unsubscribe: () => void }>();

  constructor(
    private readonly events: JobEvents,
    private readonly load: (jobId: string) => Promise<JobView | null>,
    private readonly onLoadError: (error: unknown, jobId: string) => void,
  ) {}

  /** Null when the job does not exist. The returned function stops watching. */
  async watch(jobId: string, viewer: FeedViewer): Promise<{ feed: JobFeed; stop: () => void } | null> {
    let entry = this.#feeds.get(jobId);
    if (!entry) {
      // Listening before reading: a change that lands during the read is not lost.
      let missed = false;
      const early = this.events.subscribe(jobId, () => {
        missed = true;
      });
      let view: JobView | null;
      try {
        view = await this.load(jobId);
      } finally {
        early();
      }
      if (!view) return null;
      // Another stream of the same job may have made the feed while this one read the job.
      entry = this.#feeds.get(jobId) ?? this.#open(jobId, new JobFeed(view), missed);
    }
    const { feed } = entry;
    feed.add(viewer);
    const stop = () => {
      const current = this.#feeds.get(jobId);
      if (feed.remove(viewer) && current?.feed === feed) {
        current.unsubscribe();
        this.#feeds.delete(jobId);
      }
    };
    return { feed, stop };
  }

  #open(jobId: string, feed: JobFeed, missed: boolean): { feed: JobFeed; unsubscribe: () => void } {
    let reading = false;
    let again = false;
    const refresh = async () => {
      reading = true;
      try {
        do {
          again = false;
          feed.change(await this.load(jobId));
        } while (again);
      } finally {
        reading = false;
      }
    };
    const unsubscribe = this.events.subscribe(jobId, () => {
      if (reading) again = true;
      else refresh().then(undefined, (error: unknown) => this.onLoadError(error, jobId));
    });
    const entry = { feed, unsubscribe };
    this.#feeds.set(jobId, entry);
    // A change heard while the job was first read may not be in that read: read once more now.
    if (missed) refresh().then(undefined, (error: unknown) => this.onLoadError(error, jobId));
    return entry;
  }

  /** Jobs watched right now (for tests and health). */
  get size(): number {
    return this.#feeds.size;
  }
}
