import type { IncomingMessage } from 'node:http';

/**
 * Gives a request's body `timeoutMs` to arrive in full, then drops the connection.
 * Node's own requestTimeout is off (uploads of gigabytes take longer), so without
 * this a client could send headers and part of a body, then nothing, and hold the
 * buffered part in memory for as long as it liked. Returns a function that lifts
 * the deadline (an upload does, once its envelope is read and the file streams).
 */
export function startBodyDeadline(req: IncomingMessage, timeoutMs: number, onExpire: () => void): () => void {
  if (req.complete) return () => undefined;
  const timer = setTimeout(() => {
    if (req.complete) return;
    onExpire();
    req.socket.destroy();
  }, timeoutMs);
  timer.unref();
  const lift = () => clearTimeout(timer);
  req.once('close', lift);
  return lift;
}
