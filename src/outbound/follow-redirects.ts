import type { IncomingMessage } from 'node:http';
import { type OutboundTarget, resolveTarget, type TargetPolicy } from './outbound-target.js';
import { openPinned } from './pinned-request.js';

/**
 * A GET that follows at most MAX_REDIRECTS redirects, each new address checked like the first (scheme,
 * public address, pinned connection) before anything is sent to it.
 */
export const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class TooManyRedirects extends Error {
  constructor() {
    super(`more than ${MAX_REDIRECTS} redirects`);
    this.name = 'TooManyRedirects';
  }
}

export interface FollowOptions {
  policy: TargetPolicy;
  connectTimeoutMs: number;
  /** Per request, until its answer's headers are in. */
  headersTimeoutMs: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Followed {
  response: IncomingMessage;
  url: URL;
}

export async function getFollowingRedirects(start: URL, options: FollowOptions): Promise<Followed> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    const target: OutboundTarget = await resolveTarget(url, options.policy);
    const response = await openPinned(target, {
      method: 'GET',
      ...(options.headers ? { headers: options.headers } : {}),
      connectTimeoutMs: options.connectTimeoutMs,
      totalTimeoutMs: options.headersTimeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode ?? 0) || !location) return { response, url };
    response.destroy();
    if (redirects === MAX_REDIRECTS) throw new TooManyRedirects();
    url = new URL(location, url);
  }
}
