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

/** `run`, at most once however often it is called. */
export function once(run: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    run();
  };
}
