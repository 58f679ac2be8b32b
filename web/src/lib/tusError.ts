import { SERVER_BUSY } from '../api/http.js';
import { session } from '../api/session.js';

/** What tus-js-client hands to onError when the server answered (a DetailedError). */
interface TusFailure extends Error {
  originalResponse?: { getStatus(): number; getBody(): string } | null;
}

/**
 * Rewrites a tus failure into the server's own words: a refused file (422 `{code, message}`)
 * says why, a full disk says so, and a lapsed session goes back to sign-in.
 */
export function explainTusError(error: Error): void {
  const response = (error as TusFailure).originalResponse;
  if (!response) return;
  const status = response.getStatus();
  if (status === 401) session.set('signed-out');
  if (status === 507) {
    error.message = SERVER_BUSY;
    return;
  }
  try {
    const body = JSON.parse(response.getBody()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) error.message = body.message;
  } catch {
    // Not JSON: tus-js-client's own description stays.
  }
}
