import type { Redis } from 'ioredis';
import { JobEvents } from './job-events.js';

/**
 * Job events that reach every process sharing a Redis: a worker's progress reaches the API process
 * that holds a browser's event stream, whichever it is. A change is published once to Redis and
 * delivered here by the subscription like everyone else's, so every process sees changes in the
 * order Redis saw them. Cancels travel the same way to the worker that renders the job.
 */
export class SharedJobEvents extends JobEvents {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #channels: { changes: string; cancels: string };
  readonly #cancelListeners = new Set<(jobId: string) => void>();

  private constructor(
    publisher: Redis,
    subscriber: Redis,
    prefix: string,
    onListenerError?: (error: unknown) => void,
  ) {
    super(onListenerError);
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#channels = { changes: `${prefix}job-changes`, cancels: `${prefix}job-cancels` };
  }

  /** Subscribed before it resolves: no change published afterwards is missed. */
  static async connect(options: {
    publisher: Redis;
    subscriber: Redis;
    prefix?: string;
    onError: (error: unknown) => void;
  }): Promise<SharedJobEvents> {
    const events = new SharedJobEvents(
      options.publisher,
      options.subscriber,
      options.prefix ?? 'vidvar:',
      options.onError,
    );
    const { changes, cancels } = events.#channels;
    options.subscriber.on('message', (channel: string, jobId: string) => {
      if (channel === changes) events.deliver(jobId);
      else if (channel === cancels) for (const listener of events.#cancelListeners) listener(jobId);
    });
    await options.subscriber.subscribe(changes, cancels);
    return events;
  }

  override publish(jobId: string): void {
    this.#publisher.publish(this.#channels.changes, jobId).then(undefined, (error: unknown) => {
      // Viewers read the record on the next change; one that is lost only delays what they see.
      this.onListenerError(error);
    });
  }

  /** Asks whichever worker renders the job to stop it. */
  async requestCancel(jobId: string): Promise<void> {
    await this.#publisher.publish(this.#channels.cancels, jobId);
  }

  onCancel(listener: (jobId: string) => void): () => void {
    this.#cancelListeners.add(listener);
    return () => this.#cancelListeners.delete(listener);
  }

  /** Ends the subscription; the publisher is the caller's connection, closed with the others. */
  async close(): Promise<void> {
    if (this.#subscriber.status !== 'end') await this.#subscriber.quit();
  }
}
