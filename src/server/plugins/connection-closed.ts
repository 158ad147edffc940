/** What an SSE subscription's plugins need to know of its connection: when it closes. */
import type { ServerResponse } from 'node:http';

/**
 * Runs `leave` once the client's connection is closed (at once when it already
 * is); answers a function that stops watching. The response's own `close` event,
 * not the adapter's abort signal: the adapter stops listening once it has
 * finished a response, and a closed response may be reached before it listens.
 */
export function whenClosed(res: ServerResponse | undefined, leave: () => void): () => void {
  if (!res) return () => undefined;
  if (res.closed || res.destroyed) {
    leave();
    return () => undefined;
  }
  res.once('close', leave);
  return () => res.off('close', leave);
}

/**
 * Runs `release` once, when an SSE subscription's stream ends or its connection closes,
 * whichever is first (a stream whose response is never sent is never read to its end).
 * Answers the stream's end handler.
 */
export function releaseAtEndOrClose(res: ServerResponse | undefined, release: () => void): () => void {
  let released = false;
  const releaseOnce = () => {
    if (released) return;
    released = true;
    release();
  };
  const stopWatching = whenClosed(res, releaseOnce);
  return () => {
    stopWatching();
    releaseOnce();
  };
}
