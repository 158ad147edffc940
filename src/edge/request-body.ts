/**
 * One request's body, as the edge holds it: unread until a reader takes it, and
 * answered without being read when the request is refused.
 *
 * Two kinds of client:
 *  - one that sends `Expect: 100-continue` (curl does for large bodies) waits
 *    for the gateway's go-ahead. It is told to send only when a reader takes the
 *    body (`take`, `readText`), so a refusal reaches it before a byte is sent and
 *    the connection is closed (it never sends the body);
 *  - one that just sends (undici's fetch, Node's `http`, browsers) is mid-write
 *    when a refusal comes. Closing the connection then resets it under the
 *    writer, and undici's fetch fails with `write EPIPE` without showing the
 *    answer. So `refuse` answers, then reads and discards the rest of the body,
 *    up to DISCARD_LIMITS, and only past them cuts the connection (by then the
 *    client has long read the answer). Discarding costs no memory; the bounds
 *    keep a refused upload from holding a connection or the CPU.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** How much of a refused body the gateway reads and drops before it cuts the connection. */
const DISCARD_LIMITS = { maxBytes: 64 * 1024 * 1024, maxMs: 10_000 };

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

export class RequestBody {
  /**
   * @param awaitingContinue the client sent `Expect: 100-continue` (the server's
   *   `checkContinue` event) and waits to be told to send its body.
   */
  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private awaitingContinue: boolean,
  ) {}

  /** The body's stream, for a reader that parses it itself (the multipart intake, Yoga). */
  take(): IncomingMessage {
    if (this.awaitingContinue) {
      this.awaitingContinue = false;
      this.res.writeContinue();
    }
    return this.req;
  }

  /** Reads a small body as text, refusing (before reading, when Content-Length says so) past `maxBytes`. */
  readText(maxBytes: number): Promise<string> {
    const req = this.req;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new BodyTooLargeError());
    this.take();
    // Events rather than `for await`: this runs for every webhook, and the async iterator costs more than the read.
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.off('data', onData);
          req.pause();
          reject(new BodyTooLargeError());
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
      req.once('error', reject);
      req.once('close', () => {
        if (!req.readableEnded) reject(new Error('the request closed before its body ended'));
      });
    });
  }

  /**
   * Answers a request whose body has not been read (all or in part): `send` writes
   * the answer with the extra headers given. Afterwards the rest of the body is
   * read and dropped, within DISCARD_LIMITS, so that a client still sending reads the
   * answer instead of a broken pipe. The connection stays open when the whole body
   * arrives within the limits (the client may reuse it), and is cut past them.
   */
  refuse(send: (headers: Record<string, string>) => void): void {
    if (this.awaitingContinue) {
      // The client holds its body back and, given a final answer, never sends it.
      this.awaitingContinue = false;
      return send({ connection: 'close' });
    }
    send({});
    if (this.req.complete || this.req.destroyed) return;
    discardRest(this.req);
  }
}

function discardRest(req: IncomingMessage): void {
  let discarded = 0;
  const cut = () => {
    stop();
    req.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMITS.maxBytes) cut();
  };
  const timer = setTimeout(cut, DISCARD_LIMITS.maxMs);
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
