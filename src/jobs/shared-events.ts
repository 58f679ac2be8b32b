import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { JobEvents } from './job-events.js';

const PING_MS = 5000;

/**
 * Job events that reach every process sharing a Redis: a worker's progress reaches the API process
 * that holds a browser's event stream, whichever it is. A change is published once to Redis and
 * delivered here by the subscription like everyone else's, so every process sees changes in the
 * order Redis saw them. Cancels travel the same way to the worker that renders the job.
 */
export class SharedJobEvents extends JobEvents {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #channels: { changes: string; cancels: string; ping: string };
  readonly #cancelListeners = new Set<(jobId: string) => void>();
  /** Tells this process's pings apart from the others'. */
  readonly #origin = randomBytes(8).toString('hex');
  #heardAt = Date.now();
  #watch: NodeJS.Timeout | undefined;

  private constructor(
    publisher: Redis,
    subscriber: Redis,
    prefix: string,
    onListenerError?: (error: unknown) => void,
  ) {
    super(onListenerError);
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#channels = {
      changes: `${prefix}job-changes`,
      cancels: `${prefix}job-cancels`,
      ping: `${prefix}job-events-ping`,
    };
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
    const { changes, cancels, ping } = events.#channels;
    options.subscriber.on('message', (channel: string, message: string) => {
      if (channel === changes) events.deliver(message);
      else if (channel === cancels) for (const listener of events.#cancelListeners) listener(message);
      else if (channel === ping && message === events.#origin) events.#heardAt = Date.now();
    });
    // A SUBSCRIBE sent while the connection was still being made was seen to be lost: wait for it first.
    const subscriber = options.subscriber;
    if (subscriber.status !== 'ready') await new Promise((ready) => subscriber.once('ready', ready));
    await subscriber.subscribe(changes, cancels, ping);
    events.#watch = setInterval(() => events.#checkSubscription(), PING_MS);
    events.#watch.unref();
    return events;
  }

  override publish(jobId: string): void {
    this.#publisher.publish(this.#channels.changes, jobId).then(undefined, (error: unknown) => {
      // Viewers read the record on the next change; one that is lost only delays what they see.
      this.onListenerError(error);
    });
  }

  /**
   * Every few seconds this process pings itself through Redis. A subscription that stopped hearing (a
   * connection Redis dropped and did not get back its channels) is made again, so viewers, webhooks and
   * the storage budget never wait for changes that no longer come.
   */
  #checkSubscription(): void {
    const { changes, cancels, ping } = this.#channels;
    if (Date.now() - this.#heardAt > 3 * PING_MS) {
      this.onListenerError(new Error('job events: this process stopped hearing them; subscribing again'));
      this.#heardAt = Date.now();
      this.#subscriber.subscribe(changes, cancels, ping).then(undefined, this.onListenerError);
    }
    this.#publisher.publish(ping, this.#origin).then(undefined, this.onListenerError);
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
    clearInterval(this.#watch);
    if (this.#subscriber.status !== 'end') await this.#subscriber.quit();
  }
}
