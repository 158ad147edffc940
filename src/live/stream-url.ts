/**
 * The streams `startLiveAnalysis` accepts: `rtmp://` or `rtmps://` URLs (MAVI's stream host
 * reads RTMP, docs/memories-api.md §2.15) of public addresses, by the same policy as URL uploads
 * (net/public-url.ts): MAVI connects to the URL itself, so one naming a loopback, private or
 * link-local address is refused (STREAM_URL_REFUSED) before MAVI is called.
 */
import { gatewayError } from '../errors.js';
import { hostRefusal, systemResolver, type HostResolver } from '../net/public-url.js';

export const MAX_STREAM_URL_CHARS = 2048;

export async function checkStreamUrl(raw: string, resolve: HostResolver = systemResolver): Promise<URL> {
  if (raw.length > MAX_STREAM_URL_CHARS) {
    throw gatewayError(
      'INVALID_INPUT',
      `The stream URL has ${raw.length} characters; at most ${MAX_STREAM_URL_CHARS} are taken.`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw gatewayError('INVALID_INPUT', 'The stream URL is not a valid absolute URL.');
  }
  if (url.protocol !== 'rtmp:' && url.protocol !== 'rtmps:') {
    throw gatewayError('STREAM_URL_REFUSED', `Only rtmp:// and rtmps:// stream URLs are taken, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw gatewayError(
      'STREAM_URL_REFUSED',
      'Stream URLs with credentials before the host are refused; put the stream key in the path.',
    );
  }
  if (url.hostname === '') throw gatewayError('INVALID_INPUT', 'The stream URL has no host.');
  const refused = await hostRefusal(url, resolve);
  if (refused !== undefined) throw gatewayError('STREAM_URL_REFUSED', refused);
  return url;
}
