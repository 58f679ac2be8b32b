import { serverReachable, session } from './session.js';

/** A refusal or failure the user can read: `message` is always safe to show as is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const SERVER_BUSY = 'Server busy, try again later.';
export const UNREACHABLE = 'Can’t reach the server.';

interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Sign-in itself answers 401 for a wrong password: that must not bounce to sign-in. */
  signInOnUnauthorized?: boolean;
}

/** Turns an error answer `{code, message}` into an ApiError, with a fallback for odd bodies. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = `The server answered ${res.status}.`;
  try {
    const body = (await res.json()) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string' && body.message) message = body.message;
  } catch {
    // Not JSON (a proxy page, an empty body): keep the generic message.
  }
  if (res.status === 507) message = SERVER_BUSY;
  return new ApiError(res.status, code, message);
}

/** Tells the app what a failed request means for the whole screen (signed out, offline). */
export function noteFailure(error: ApiError, signInOnUnauthorized = true): void {
  if (error.status === 401 && signInOnUnauthorized) session.set('signed-out');
  if (error.status === 0) serverReachable.set(false);
}

/** JSON request to the API; resolves to the parsed body (undefined for 204), throws ApiError. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, signInOnUnauthorized = true } = options;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    const error = new ApiError(0, 'unreachable', UNREACHABLE);
    noteFailure(error);
    throw error;
  }
  serverReachable.set(true);
  if (!res.ok) {
    const error = await errorFromResponse(res);
    noteFailure(error, signInOnUnauthorized);
    throw error;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
