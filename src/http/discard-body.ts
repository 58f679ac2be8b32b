import type { IncomingMessage } from 'node:http';

/**
 * Reads and throws away what a client is still sending, up to a bound, before an early refusal
 * (413, 507). A client that is cut off mid-send often reports a broken pipe instead of our answer;
 * draining a reasonable amount first lets it read the JSON. Past the bound the connection closes.
 */
export function discardBody(
  request: IncomingMessage,
  limits: { maxBytes: number; maxMs: number } = { maxBytes: 16 * 1024 * 1024, maxMs: 3000 },
): Promise<void> {
  return new Promise((resolve) => {
    if (request.readableEnded || request.destroyed) return resolve();
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', finish);
      request.off('error', finish);
      request.off('close', finish);
      request.pause();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limits.maxBytes) finish();
    };
    const timer = setTimeout(finish, limits.maxMs);
    request.on('data', onData);
    request.once('end', finish);
    request.once('error', finish);
    request.once('close', finish);
    request.resume();
  });
}
