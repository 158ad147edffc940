/**
 * The client's file stream as the upstream request reads it: the first bytes can
 * be looked at before anything is sent (empty files, container sniffing), bytes
 * are counted against the upload limit as they pass, and the first failure on the
 * client's side is remembered, so it is reported instead of the upstream failure
 * it causes.
 */
import { Readable } from 'node:stream';
import { gatewayError } from '../errors.js';

export interface FileSourceOptions {
  maxBytes: number;
  /** The size announced to MAVI up front, if one is (MAVI_UPLOAD_CONTENT_LENGTH): the file must match it. */
  expectedBytes?: number;
  /** Runs after the last byte, before the upstream may end its request; a throw aborts it. */
  verifyEnd?: () => Promise<void>;
}

export class FileSource {
  private readonly buffered: Buffer[] = [];
  private readonly maxBytes: number;
  private readonly expectedBytes: number | undefined;
  private readonly verifyEnd: () => Promise<void>;
  /** The client's file has ended (every byte counted). */
  private ended = false;
  /** No more bytes are taken from the client: the file ended, failed or was let go. */
  private done = false;
  private bytes = 0;
  private firstFailure: unknown;

  constructor(
    private readonly stream: Readable,
    options: FileSourceOptions,
  ) {
    this.maxBytes = options.maxBytes;
    this.expectedBytes = options.expectedBytes;
    this.verifyEnd = options.verifyEnd ?? (async () => undefined);
    stream.once('end', () => {
      this.ended = true;
    });
  }

  /** Why reading from the client stopped early, if it did. */
  get failure(): unknown {
    return this.firstFailure;
  }

  /** Reads until at least `count` bytes are at hand or the file ends; returns what is at hand. */
  async peek(count: number): Promise<Buffer> {
    let held = this.buffered.reduce((sum, chunk) => sum + chunk.length, 0);
    while (held < count && !this.ended) {
      const chunk = this.stream.read() as Buffer | null;
      if (chunk !== null) {
        this.take(chunk);
        this.buffered.push(chunk);
        held += chunk.length;
        continue;
      }
      if (this.stream.errored) throw this.fail(this.stream.errored);
      if (this.stream.destroyed) throw this.fail(new Error('The file stream closed before its end.'));
      await changeOf(this.stream);
    }
    return Buffer.concat(this.buffered, held);
  }

  /**
   * Every byte of the file, the peeked ones first, as one stream: the client's
   * chunks pass through as they come, with no promise per chunk (a stream body is
   * written to MAVI's socket from the chunk's own event). Its end waits for
   * `verifyEnd`; any failure breaks it with the failure. Take it once.
   */
  body(): Readable {
    const body = new Readable({
      read: () => {
        this.stream.resume();
      },
      destroy: (error, callback) => {
        // The upstream stopped reading (it failed, or we did): stop taking bytes from the client.
        if (!this.done) this.discard();
        callback(error);
      },
    });
    for (const chunk of this.buffered.splice(0)) body.push(chunk);
    const finish = () => {
      this.done = true;
      if (this.expectedBytes !== undefined && this.bytes !== this.expectedBytes) {
        return body.destroy(asError(this.fail(sizeMismatch())));
      }
      this.verifyEnd().then(
        () => body.push(null),
        (error: unknown) => body.destroy(asError(this.fail(error))),
      );
    };
    if (this.ended) {
      finish();
      return body;
    }
    // Broken while it was peeked at: its error was told then, and is not told again.
    if (this.stream.destroyed) {
      body.destroy(asError(this.fail(this.stream.errored ?? new Error('The file stream closed before its end.'))));
      return body;
    }
    this.stream.on('data', (chunk: Buffer) => {
      try {
        this.take(chunk);
      } catch (error) {
        return body.destroy(asError(error));
      }
      if (!body.push(chunk)) this.stream.pause();
    });
    this.stream.once('end', finish);
    this.stream.once('error', (error) => body.destroy(asError(this.fail(error))));
    this.stream.once('close', () => {
      if (!this.ended && !body.destroyed)
        body.destroy(asError(this.fail(new Error('The file stream closed before its end.'))));
    });
    this.stream.resume();
    return body;
  }

  /** Stops reading a file that is refused before any of it is sent. */
  discard(): void {
    this.done = true;
    this.stream.destroy();
  }

  /** Remembers the first failure on the client's side and stops reading from the client. */
  private fail(error: unknown): unknown {
    this.firstFailure ??= error;
    this.done = true;
    this.stream.destroy();
    return error;
  }

  get bytesRead(): number {
    return this.bytes;
  }

  /** Counts a chunk against the limits; throws (after failing) when it is one too many. */
  private take(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      throw this.fail(
        gatewayError('UPLOAD_TOO_LARGE', `The file is larger than the upload limit of ${this.maxBytes} bytes.`),
      );
    }
    // Never hand MAVI more bytes than were announced: stop before the extra chunk leaves.
    if (this.expectedBytes !== undefined && this.bytes > this.expectedBytes) throw this.fail(sizeMismatch());
  }
}

/** Resolves at the stream's next change: bytes to read, its end, an error or its closing. */
function changeOf(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    const events = ['readable', 'end', 'error', 'close'] as const;
    const settle = () => {
      for (const event of events) stream.off(event, settle);
      resolve();
    };
    for (const event of events) stream.once(event, settle);
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function sizeMismatch() {
  return gatewayError(
    'INVALID_MULTIPART',
    "The file's size does not match what the request's Content-Length implies (is the closing boundary followed by CRLF?).",
  );
}
