/**
 * Answers given before a request's body is read (a refused upload, a missing
 * key, a forged webhook token) that every client can read.
 *
 * Two kinds of client:
 *  - one that sends `Expect: 100-continue` (curl does for large bodies) waits
 *    for the gateway's go-ahead: it gets the refusal before sending a byte, and
 *    the connection is closed (it never sends the body);
 *  - one that just sends (undici's fetch, Node's `http`, browsers) is mid-write
 *    when the answer comes. Closing the connection then resets it under the
 *    writer, and undici's fetch fails with `write EPIPE` without showing the
 *    answer. So the gateway answers, then reads and discards the rest of the
 *    body, up to DISCARD_LIMITS, and only past them cuts the connection (by then
 *    the client has long read the answer). Discarding costs no memory; the
 *    bounds keep a refused upload from holding a connection or the CPU.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** How much of a refused body the gateway reads and drops before it cuts the connection. */
const DISCARD_LIMITS = { maxBytes: 64 * 1024 * 1024, maxMs: 10_000 };

/** Requests whose client waits for `100 Continue` before sending the body, not yet told to send it. */
const awaitingContinue = new WeakSet<IncomingMessage>();

/**
 * The listener for the server's `checkContinue` event: such a request is routed
 * like any other, and its client is told to send the body only when the gateway
 * reads it (`acceptBody`). A refusal therefore reaches it before the body does.
 */
export function deferContinue(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    awaitingContinue.add(req);
    handle(req, res);
  };
}

/** Called right before the gateway reads a body: a client waiting for `100 Continue` gets it now. */
export function acceptBody(req: IncomingMessage, res: ServerResponse): void {
  if (awaitingContinue.delete(req)) res.writeContinue();
}

/**
 * Answers a request whose body has not been read (all or in part): `send` writes
 * the answer with the extra headers given. Afterwards the rest of the body is
 * read and dropped, within DISCARD_LIMITS, so that a client still sending reads
 * the answer instead of a broken pipe. The connection stays open when the whole
 * body arrives within the limits (the client may reuse it), and is cut past them.
 */
export function answerUnreadBody(
  req: IncomingMessage,
  res: ServerResponse,
  send: (headers: Record<string, string>) => void,
  limits = DISCARD_LIMITS,
): void {
  if (awaitingContinue.delete(req)) {
    // The client holds its body back and, given a final answer, never sends it.
    return send({ connection: 'close' });
  }
  send({});
  if (req.complete || req.destroyed) return;
  discardRest(req, limits);
}

function discardRest(req: IncomingMessage, limits: typeof DISCARD_LIMITS): void {
  let discarded = 0;
  const cut = () => {
    stop();
    req.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limits.maxBytes) cut();
  };
  const timer = setTimeout(cut, limits.maxMs);
  timer.unref();
  const stop = () => {
    clearTimeout(timer);
    req.off('data', onData);
  };
  req.on('data', onData);
  req.once('end', stop);
  req.once('close', stop);
  req.resume();
}
