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
import { isIP } from 'node:net';
import { hostOf, isInternalAddress, isLocalhostName } from '../net/internal-addresses.js';
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
  const host = hostOf(url);
  if (isLocalhostName(host)) {
    throw gatewayError('VIDEO_URL_REFUSED', `The URL names ${url.hostname}, the host itself.`);
  }
  const addresses = isIP(host) ? [host] : await resolve(host);
  const blocked = addresses.find(isInternalAddress);
  if (blocked !== undefined) {
    const what =
      blocked === host ? `The URL's host ${url.hostname} is` : `The URL's host ${url.hostname} resolves to ${blocked},`;
    throw gatewayError('VIDEO_URL_REFUSED', `${what} a loopback, private or link-local address.`);
  }
  return url;
}
