import type { Logger } from 'pino';
import type { JobEvents } from './job-events.js';
import type { JobStore, PendingWork } from './types.js';

/** Job events come often (progress); the promised work is read again at most this often. */
const REFRESH_MS = 2000;

/**
 * The work the queue has promised, for the storage budget, which must answer at once. Over Redis it
 * is a scan of the unfinished jobs, so it is kept here and read again after jobs change, at most
 * every 2 s: a budget that lags by that much, never a request that waits on the scan.
 */
export class PendingWorkCache {
  #current: PendingWork[] = [];
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: () => void = () => {};

  private constructor(
    private readonly store: JobStore,
    private readonly logger: Logger,
  ) {}

  static async watch(store: JobStore, events: JobEvents, logger: Logger): Promise<PendingWorkCache> {
    const cache = new PendingWorkCache(store, logger);
    await cache.#refresh();
    cache.#unsubscribe = events.subscribeAll(() => cache.#schedule());
    return cache;
  }

  current(): PendingWork[] {
    return this.#current;
  }

  stop(): void {
    this.#unsubscribe();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#refresh().then(
        () => {
          this.#timer = undefined;
        },
        (error: unknown) => {
          this.#timer = undefined;
          this.logger.warn({ err: error }, 'promised work not read; the next change tries again');
        },
      );
    }, REFRESH_MS);
    this.#timer.unref();
  }

  async #refresh(): Promise<void> {
    this.#current = await this.store.pendingWork();
  }
}
