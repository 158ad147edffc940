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
import { gatewayError } from '../errors.js';
import { publicUrlRefusal, systemResolver, type HostResolver } from '../net/public-url.js';

/** The longest URL taken (the issue's bound; browsers' practical limit is about the same). */
export const MAX_VIDEO_URL_CHARS = 2048;

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
  const refused = await publicUrlRefusal(url, resolve);
  if (refused !== undefined) throw gatewayError('VIDEO_URL_REFUSED', refused);
  return url;
}
