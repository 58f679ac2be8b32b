import { UserError } from '../errors.js';

/** Refusals shared by several routes, with the exact words the API contract promises. */

export function drainingError(): UserError {
  return new UserError('draining', 'The server is restarting; try again in a minute.', 503);
}

export function tooLargeError(maxBytes: number): UserError {
  const mb = Math.floor(maxBytes / (1024 * 1024));
  const limit = mb >= 1 ? `${mb} MB` : `${maxBytes} bytes`;
  return new UserError('too_large', `That file is larger than the ${limit} this server accepts.`, 413);
}
