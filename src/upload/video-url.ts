/**
 * The addresses `uploadVideoFromUrl` accepts. MAVI fetches the URL itself, so a
 * URL naming a loopback, private or link-local address would have MAVI (or, in
 * a self-hosted setup, something next to the gateway) fetch from inside a
 * private network: refused with VIDEO_URL_REFUSED, before MAVI is called.
 *
 * A host name is resolved here and refused when any of its addresses is such an
 * address. A name that does not resolve from here is passed on: MAVI resolves it
 * from its own network, and will say if it cannot. (That a name may resolve
 * differently at MAVI is MAVI's to guard against: it does the fetching.)
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { gatewayError } from '../errors.js';

/** The longest URL taken (the issue's bound; browsers' practical limit is about the same). */
export const MAX_VIDEO_URL_CHARS = 2048;
const RESOLVE_TIMEOUT_MS = 3_000;

/** Resolves a host name to its addresses; empty when it does not resolve. */
export type HostResolver = (hostname: string) => Promise<string[]>;

const systemResolver: HostResolver = async (hostname) => {
  const timeout = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), RESOLVE_TIMEOUT_MS).unref());
  const resolved = lookup(hostname, { all: true, verbatim: true }).then(
    (addresses) => addresses.map(({ address }) => address),
    () => [],
  );
  return Promise.race([resolved, timeout]);
};

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

function isInternal(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]; // IPv4-mapped IPv6
  if (mapped) return internal.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return false;
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The URL, parsed, when MAVI may be asked to fetch it; else a VIDEO_URL_REFUSED or INVALID_INPUT error naming why. */
export async function checkVideoUrl(raw: string, resolve: HostResolver = systemResolver): Promise<URL> {
  if (raw.length > MAX_VIDEO_URL_CHARS) {
    throw gatewayError(
      'INVALID_INPUT',
      `The URL has ${raw.length} characters; at most ${MAX_VIDEO_URL_CHARS} are taken.`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw gatewayError('INVALID_INPUT', 'The URL is not a valid absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw gatewayError('VIDEO_URL_REFUSED', `Only http: and https: URLs are taken, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw gatewayError('VIDEO_URL_REFUSED', 'URLs with credentials are refused: MAVI fetches the video without any.');
  }
  // WHATWG URL parsing already turned 0x7f.1, 2130706433 and the like into dotted IPv4.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    throw gatewayError('VIDEO_URL_REFUSED', `The URL names ${url.hostname}, the host itself.`);
  }
  const addresses = isIP(host) ? [host] : await resolve(name);
  const blocked = addresses.find(isInternal);
  if (blocked !== undefined) {
    const what =
      blocked === host ? `The URL's host ${url.hostname} is` : `The URL's host ${url.hostname} resolves to ${blocked},`;
    throw gatewayError('VIDEO_URL_REFUSED', `${what} a loopback, private or link-local address.`);
  }
  return url;
}
