import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserError } from '../errors.js';
import { contentDisposition } from './content-disposition.js';

/**
 * Sends one finished file with HTTP Range support (video players seek with it): a single byte range
 * answers 206, an impossible one 416, anything else the whole file. Multi-range requests get the
 * whole file, which RFC 9110 allows.
 */
export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

/** Parses `bytes=a-b`, `bytes=a-` and `bytes=-n` against a file size; null when absent or ignored. */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: string,
  options: { contentType: string; downloadName: string; notFound: string },
): Promise<FastifyReply> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new UserError('not_found', options.notFound, 404);
  }
  reply
    .header('Content-Type', options.contentType)
    .header('Accept-Ranges', 'bytes')
    .header('Cache-Control', 'private, max-age=3600')
    .header('Content-Disposition', contentDisposition('inline', options.downloadName));
  const range = parseRange(request.headers.range, size);
  if (range === 'unsatisfiable') {
    return reply
      .code(416)
      .header('Content-Range', `bytes */${size}`)
      .header('Content-Type', 'application/json; charset=utf-8')
      .send({ code: 'range_not_satisfiable', message: 'That part of the file does not exist.' });
  }
  if (range === null) {
    reply.header('Content-Length', size);
    return reply.send(createReadStream(file));
  }
  reply
    .code(206)
    .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
    .header('Content-Length', range.end - range.start + 1);
  return reply.send(createReadStream(file, { start: range.start, end: range.end }));
}
