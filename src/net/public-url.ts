/**
 * Whether a URL leads out of the operator's network: the one policy of `uploadVideoFromUrl`
 * (MAVI fetches it) and of the app's webhook endpoints (the gateway posts to them). A host
 * name is resolved and refused when any of its addresses is loopback, private or link-local;
 * a name that does not resolve is let through (the connection checks again: refusingLookup).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostOf, isInternalAddress, isLocalhostName } from './internal-addresses.js';

const RESOLVE_TIMEOUT_MS = 3_000;

/** Resolves a host name to its addresses; empty when it does not resolve. */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const systemResolver: HostResolver = async (hostname) => {
  const timeout = new Promise<string[]>((resolve) => setTimeout(() => resolve([]), RESOLVE_TIMEOUT_MS).unref());
  const resolved = lookup(hostname, { all: true, verbatim: true }).then(
    (addresses) => addresses.map(({ address }) => address),
    () => [],
  );
  return Promise.race([resolved, timeout]);
};

/** Why the URL is refused whatever its host (not http(s), credentials in it); undefined when it is not. */
export function urlShapeRefusal(url: URL): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `Only http: and https: URLs are taken, not ${url.protocol}`;
  }
  if (url.username || url.password) return 'URLs with credentials are refused.';
  return undefined;
}

/**
 * Why the URL is refused, in a sentence about "the URL"; undefined when it is taken: its shape
 * (urlShapeRefusal), or a host that is (or resolves to) a loopback, private or link-local address.
 */
export async function publicUrlRefusal(url: URL, resolve: HostResolver = systemResolver): Promise<string | undefined> {
  return urlShapeRefusal(url) ?? (await hostRefusal(url, resolve));
}

/**
 * Why the URL's host is refused, whatever its scheme: it is (or resolves to) a loopback,
 * private or link-local address, or names the host itself; undefined when it is public.
 */
export async function hostRefusal(url: URL, resolve: HostResolver = systemResolver): Promise<string | undefined> {
  const host = hostOf(url);
  if (isLocalhostName(host)) return `The URL names ${url.hostname}, the host itself.`;
  const addresses = isIP(host) ? [host] : await resolve(host);
  const blocked = addresses.find(isInternalAddress);
  if (blocked === undefined) return undefined;
  const what =
    blocked === host ? `The URL's host ${url.hostname} is` : `The URL's host ${url.hostname} resolves to ${blocked},`;
  return `${what} a loopback, private or link-local address.`;
}
