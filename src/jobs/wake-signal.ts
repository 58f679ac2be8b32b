import { EventEmitter, once } from 'node:events';

/**
 * How the worker sleeps between claims: until woken (a job created or retried, a slot freed) or a
 * safety timer. A wake that comes while the worker is busy makes its next sleep return at once, so
 * none is lost.
 */
export class WakeSignal {
  readonly #emitter = new EventEmitter();
  #pending = false;

  wake(): void {
    this.#pending = true;
    this.#emitter.emit('wake');
  }

  async sleep(ms: number): Promise<void> {
    if (!this.#pending) {
      try {
        await once(this.#emitter, 'wake', { signal: AbortSignal.timeout(ms) });
      } catch (error) {
        // The safety timer ran out: look for work anyway.
        if ((error as Error).name !== 'AbortError' && (error as Error).name !== 'TimeoutError') throw error;
      }
    }
    this.#pending = false;
  }
}
