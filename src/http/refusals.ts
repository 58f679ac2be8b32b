import type { FastifyReply } from 'fastify';
import { UserError } from '../errors.js';

/** Refusals shared by several routes, with the exact words the API contract promises. */

/** During shutdown intake is closed: the client is told to come back, and this connection ends. */
export function refuseWhileDraining(isDraining: () => boolean, reply: FastifyReply): void {
  if (!isDraining()) return;
  reply.header('Connection', 'close');
  throw new UserError('draining', 'The server is restarting; try again in a minute.', 503, {
    retryAfterS: 30,
  });
}

export function tooLargeError(maxBytes: number): UserError {
  const mb = Math.floor(maxBytes / (1024 * 1024));
  const limit = mb >= 1 ? `${mb} MB` : `${maxBytes} bytes`;
  return new UserError('too_large', `That file is larger than the ${limit} this server accepts.`, 413);
}
