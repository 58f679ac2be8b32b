import type { FastifyInstance } from 'fastify';

/**
 * A client that stops sending in the middle of a request body (an upload, a JSON body) holds a
 * connection, a file handle and a part-written file for as long as it likes. While a body is arriving
 * the socket gets an idle timeout: no byte for `idleMs` and the connection is cut, which ends the
 * upload as an abort (tus keeps what arrived, multipart deletes its files). Once the body is in, the
 * timer is off: admission and long answers (events, ZIPs) may be quiet for longer.
 */
export const DEFAULT_UPLOAD_IDLE_MS = 60_000;

export function installUploadIdleTimeout(app: FastifyInstance, idleMs: number): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!hasBody(request.headers)) return;
    const socket = request.raw.socket;
    const onIdle = () => {
      request.log.info({ idleMs }, 'request body stalled: connection closed');
      socket.destroy();
    };
    // The server sets no socket timeout of its own (Fastify's connectionTimeout is 0), so 0 restores it.
    const clear = () => {
      socket.setTimeout(0);
      socket.off('timeout', onIdle);
    };
    socket.setTimeout(idleMs);
    socket.on('timeout', onIdle);
    request.raw.once('end', clear);
    reply.raw.once('close', clear);
  });
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = Number(headers['content-length'] ?? 0);
  return headers['transfer-encoding'] !== undefined || (Number.isFinite(length) && length > 0);
}
