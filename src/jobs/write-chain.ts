import type { Awaitable } from './types.js';

/**
 * Store writes started from synchronous callbacks (FFmpeg's progress and finished outputs) run one after
 * another, in the order they were made: a progress write can never land after the output's completion.
 * A failed write is reported and the chain goes on; `settled()` is awaited before the job's end is written.
 */
export class WriteChain {
  #tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {}

  push(write: () => Awaitable<void>): void {
    this.#tail = this.#tail.then(() => write()).then(undefined, this.onError);
  }

  /** Resolves once every write pushed so far has run. */
  settled(): Promise<void> {
    return this.#tail;
  }
}
