import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Which addresses an outbound request (a webhook, an import from a link) may reach: only public
 * unicast ones. Everything that leads back into the machine, its network or its cloud's metadata
 * service is refused, in IPv4 and IPv6, including IPv4 written inside IPv6.
 */
// Two lists: one list holding IPv6 rules would also match IPv4 addresses as ::ffff:a.b.c.d.
const blocked4 = new BlockList();
const blocked6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT, also some clouds' internal ranges
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  blocked4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64: an IPv4 address behind a translator, which may be private
  ['64:ff9b:1::', 48],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 wraps an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
] as const) {
  blocked6.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) IPv6 one. */
function embeddedIPv4(address: string): string | null {
  const match = /^::(?:ffff:(?:0:)?)?(.+)$/i.exec(address);
  if (!match) return null;
  const rest = match[1] as string;
  if (isIPv4(rest)) return rest;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
  if (!hex) return null;
  const high = Number.parseInt(hex[1] as string, 16);
  const low = Number.parseInt(hex[2] as string, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** True for a public unicast address; false for anything private, local, reserved or not an address. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return !blocked4.check(bare, 'ipv4');
  if (!isIPv6(bare)) return false;
  // The URL parser writes every spelling of an IPv6 address one way (0:0:0:0:0:ffff:7f00:1 → ::ffff:7f00:1).
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const inner = embeddedIPv4(canonical);
  if (inner !== null) return !blocked4.check(inner, 'ipv4');
  return !blocked6.check(canonical, 'ipv6');
}
