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

/**
 * Cuts a request whose body stops arriving: no byte for `gapMs` while the gateway
 * is reading it. A gap, not a byte rate, so that a slow but live upload is never
 * cut: any byte resets the clock. Time when the gateway itself is not reading
 * (backpressure: MAVI is slower than the client) does not count. Returns the stop.
 */
export function startIdleGapDeadline(req: IncomingMessage, gapMs: number, onExpire: () => void): () => void {
  // Bytes are seen on the socket, not with a 'data' listener: one would set the body flowing before its
  // reader (Yoga's intake, tus after its lock) takes it, and the first chunks would be lost.
  let last = Date.now();
  let bytesSeen = req.socket.bytesRead;
  const timer = setInterval(
    () => {
      if (req.complete || req.destroyed) return stop();
      const bytes = req.socket.bytesRead;
      if (bytes !== bytesSeen || req.readableFlowing !== true) {
        // Bytes came, or the body is not being read (backpressure: the wait is the gateway's, not the client's).
        bytesSeen = bytes;
        last = Date.now();
        return;
      }
      if (Date.now() - last < gapMs) return;
      stop();
      onExpire();
      req.socket.destroy();
    },
    Math.max(25, Math.min(1_000, gapMs / 4)),
  );
  timer.unref();
  const stop = () => clearInterval(timer);
  req.once('close', stop);
  return stop;
}
