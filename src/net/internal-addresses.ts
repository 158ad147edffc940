/**
 * The one policy for where the gateway lets a URL lead: not into the operator's own network.
 * `uploadVideoFromUrl` (MAVI fetches the URL) and the app's webhook endpoints (the gateway
 * connects) both refuse loopback, private and link-local addresses. For webhooks the check is
 * made where the connection is made (`refusingLookup`), so a DNS answer that changes between a
 * check and the connection cannot get around it.
 */
import { lookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Addresses that lead into a private network or the host itself (IANA special-purpose registries). */
const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback, and the deprecated IPv4-compatible ::a.b.c.d
  ['64:ff9b::', 96], // NAT64: an IPv4 address behind a translator
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}

/** Whether an address leads into a private network or the host itself (an IPv4-mapped one too). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]; // IPv4-mapped IPv6
  if (mapped) return internal.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return false;
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net.connect (undici's `connect.lookup`) that answers only addresses outside
 * the operator's network: a name that resolves to one is refused with an error that says so.
 */
export function refusingLookup(
  hostname: string,
  options: { all?: boolean; family?: number | string },
  callback: LookupCallback,
): void {
  lookup(hostname, { ...options, all: true } as { all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const blocked = addresses.find(({ address }) => isInternalAddress(address));
    if (blocked) {
      const refusal: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to ${blocked.address}, a loopback, private or link-local address`,
      );
      refusal.code = 'EADDRREFUSED_PRIVATE';
      return callback(refusal, []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}

/**
 * A URL's host as the policy reads it: an IPv6 address without its brackets, a name in lower
 * case without a trailing dot. (WHATWG URL parsing already turned 0x7f.1, 2130706433 and the
 * like into dotted IPv4.)
 */
export function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
}

/** Whether a host name names the host itself (`localhost`, `*.localhost`), whatever it resolves to. */
export function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/** Whether a URL's host is itself such an address, or names the host itself (localhost). */
export function namesInternalHost(url: URL): boolean {
  const host = hostOf(url);
  return isLocalhostName(host) || (isIP(host) !== 0 && isInternalAddress(host));
}
