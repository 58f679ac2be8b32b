import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPublicAddress } from './address-policy.js';

/**
 * Checks where an outbound request would go before any byte is sent: an http(s) URL whose name
 * resolves only to public addresses (unless private ones are allowed). The name is resolved once
 * here and the request connects to this very address, so a DNS answer that changes between the
 * check and the connection (rebinding) cannot lead inside.
 */
export interface OutboundTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

export type RefusalReason = 'scheme' | 'credentials' | 'unresolvable' | 'private';

export class TargetRefused extends Error {
  constructor(readonly reason: RefusalReason) {
    super(`outbound target refused: ${reason}`);
    this.name = 'TargetRefused';
  }
}

export interface TargetPolicy {
  allowPrivate: boolean;
}

export async function resolveTarget(raw: string | URL, policy: TargetPolicy): Promise<OutboundTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('scheme');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefused('scheme');
  // user:pass@ in a link is a classic way to disguise the host a reader thinks it names.
  if (url.username || url.password) throw new TargetRefused('credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw new TargetRefused('unresolvable');
    }
  }
  const first = addresses[0];
  if (!first) throw new TargetRefused('unresolvable');
  // Every answer must be public: a name with one public and one private address could be either.
  if (!policy.allowPrivate && !addresses.every((a) => isPublicAddress(a.address))) {
    throw new TargetRefused('private');
  }
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
