import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { OutboundTarget } from './outbound-target.js';

/**
 * One HTTP request to a target checked by resolveTarget, connected to the address that was checked
 * (the name stays in the Host header and in TLS's SNI and certificate check). Redirects are never
 * followed here: a 3xx is an answer like any other, and a caller that follows one checks it first.
 */
export interface PinnedRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** From the start until the connection is open. */
  connectTimeoutMs: number;
  /** From the start until the answer's headers are in. */
  totalTimeoutMs: number;
  signal?: AbortSignal;
}

export class RequestFailed extends Error {
  constructor(
    readonly reason: 'connect_timeout' | 'timeout' | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'RequestFailed';
  }
}

/** Resolves with the answer's headers; the caller reads or destroys the body. */
export function openPinned(target: OutboundTarget, request: PinnedRequest): Promise<IncomingMessage> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(target.url, {
      method: request.method,
      headers: request.headers,
      lookup: pinned,
      agent: false,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const fail = (error: RequestFailed) => {
      req.destroy(error);
      reject(error);
    };
    const connectTimer = setTimeout(
      () => fail(new RequestFailed('connect_timeout', 'could not connect in time')),
      request.connectTimeoutMs,
    );
    const totalTimer = setTimeout(
      () => fail(new RequestFailed('timeout', 'no answer in time')),
      request.totalTimeoutMs,
    );
    req.on('socket', (socket) => {
      socket.once(target.url.protocol === 'https:' ? 'secureConnect' : 'connect', () =>
        clearTimeout(connectTimer),
      );
    });
    req.on('response', (res) => {
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      resolve(res);
    });
    req.on('error', (error) => {
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      reject(error instanceof RequestFailed ? error : new RequestFailed('network', error.message));
    });
    req.end(request.body);
  });
}

/** Sends the request and reads at most a little of the answer: only its status matters. */
export async function sendPinned(target: OutboundTarget, request: PinnedRequest): Promise<number> {
  const res = await openPinned(target, request);
  res.destroy();
  return res.statusCode ?? 0;
}
