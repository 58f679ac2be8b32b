import { Redis } from 'ioredis';

/**
 * Connections to Redis, by what waits on them. A request must not hang while Redis is away: the API's
 * commands fail at once and the request is answered 503 with Retry-After. A worker's record of finished
 * work must not be lost to a short outage: its commands wait for the reconnection instead. BullMQ
 * needs the waiting kind for its blocking commands. All reconnect by themselves, quickly at first.
 */
export type RedisRole = 'request' | 'background';

export function connectRedis(url: string, role: RedisRole): Redis {
  return new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: role === 'background',
    maxRetriesPerRequest: role === 'background' ? null : 1,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
  });
}

/** The errors a Redis client gives while the server cannot be reached (answered 503, not 500). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT')
    return true;
  return /Stream isn't writeable|Connection is closed|enableOfflineQueue/.test(error.message);
}
