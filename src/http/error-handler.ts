import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isUserError, UserError } from '../errors.js';
import { isRedisUnavailable } from '../jobs/redis-connection.js';
import { EVERY_ANSWER, setSecurityHeaders } from './security-headers.js';

/**
 * Every error leaves as `{code, message}`: a UserError with its own status, a bad request as
 * `invalid_request`, anything unexpected as a generic 500 that is logged with the request id.
 * Never a server path, never a stack.
 */
export const INTERNAL_MESSAGE = 'Something went wrong on our side.';
const REDIS_UNAVAILABLE_MESSAGE =
  'The server cannot reach its job records right now; try again in a few seconds.';
const REDIS_RETRY_AFTER_S = 5;

const CLIENT_ERROR_CODES: Record<number, { code: string; message?: string }> = {
  400: { code: 'invalid_request' },
  404: { code: 'not_found', message: 'Not found.' },
  405: { code: 'method_not_allowed' },
  406: { code: 'invalid_request' },
  411: { code: 'length_required' },
  // Only Fastify's JSON body limit lands here; uploads answer their own too_large naming the cap.
  413: { code: 'too_large', message: 'That request is larger than this server accepts.' },
  415: { code: 'unsupported_media_type' },
};

export function notFoundError(): UserError {
  return new UserError('not_found', 'Not found.', 404);
}

export function isClientError(error: unknown): boolean {
  const status = (error as FastifyError).statusCode;
  return status !== undefined && status >= 400 && status < 500;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    // Also reached from a web-asset route that found no file, which set no cache policy.
    reply.header('Cache-Control', 'no-store');
    sendError(notFoundError(), request, reply);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply));
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isUserError(error)) {
    request.log.info({ code: error.code, status: error.status }, 'request refused');
    if (error.retryAfterS !== undefined) reply.header('Retry-After', String(Math.ceil(error.retryAfterS)));
    return reply.code(error.status).send({ code: error.code, message: error.message });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const message = error.validation
      .map((issue) => `${where}${issue.instancePath.replaceAll('/', '.')}: ${issue.message}`)
      .join('; ');
    return reply.code(400).send({ code: 'invalid_request', message });
  }
  const status = (error as FastifyError).statusCode;
  const known = status !== undefined ? CLIENT_ERROR_CODES[status] : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    request.log.info({ err: error, status }, 'bad request');
    const message = known?.message ?? safeClientMessage(error);
    return reply.code(status).send({ code: known?.code ?? 'invalid_request', message });
  }
  if (isRedisUnavailable(error)) {
    // The records live in Redis (several machines) and it is away: nothing was changed, try again soon.
    request.log.warn({ err: error, reqId: request.id }, 'Redis unavailable');
    reply.header('Retry-After', String(REDIS_RETRY_AFTER_S));
    return reply.code(503).send({ code: 'unavailable', message: REDIS_UNAVAILABLE_MESSAGE });
  }
  request.log.error({ err: error, reqId: request.id }, 'request failed');
  return reply.code(500).send({ code: 'internal', message: INTERNAL_MESSAGE });
}

/** Fastify's own 4xx messages describe the request; strip anything that looks like a path. */
function safeClientMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : '';
  if (!text || /[\\/][\w.-]+[\\/]/.test(text)) return 'The request was not understood.';
  return text.slice(0, 300);
}

/**
 * What Fastify answers itself before any route or hook runs: a URL it cannot decode (`%E0%A4%A`), a
 * parameter longer than the router allows. No hook ran, so the headers every answer carries are set
 * here; the URL is never echoed.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  setSecurityHeaders(reply.raw);
  reply.raw.setHeader('Cache-Control', 'no-store');
  request.log.info({ code: error.code }, 'request refused before routing');
  reply.code(400).send({ code: 'invalid_request', message: 'That address is not a valid URL.' });
}

/**
 * A request Node's parser gave up on (cut off mid-body, malformed, headers too large, too slow) never
 * becomes a request object: the answer is written on the socket, in our format and with our headers.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'timeout', 'The request took too long to arrive.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are too large.']
        : [400, 'Bad Request', 'invalid_request', 'The request was cut off or malformed.'];
  const body = JSON.stringify({ code, message });
  const headers = {
    ...EVERY_ANSWER,
    'Cache-Control': 'no-store',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  if (socket.writable) {
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
    socket.write(`HTTP/1.1 ${status} ${reason}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
