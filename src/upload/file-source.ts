/**
 * The client's file stream as the upstream request reads it: the first bytes can
 * be looked at before anything is sent (empty files, container sniffing), bytes
 * are counted against the upload limit as they pass, and the first failure on the
 * client's side is remembered, so it is reported instead of the upstream failure
 * it causes.
 */
import type { Readable } from 'node:stream';
import { gatewayError } from '../errors.js';

export interface FileSourceOptions {
  maxBytes: number;
  /** The size announced to MAVI up front, if one is (MAVI_UPLOAD_CONTENT_LENGTH): the file must match it. */
  expectedBytes?: number;
  /** Runs after the last byte, before the upstream may end its request; a throw aborts it. */
  verifyEnd?: () => Promise<void>;
}

export class FileSource {
  private readonly iterator: AsyncIterator<Buffer>;
  private readonly buffered: Buffer[] = [];
  private readonly maxBytes: number;
  private readonly expectedBytes: number | undefined;
  private readonly verifyEnd: () => Promise<void>;
  private done = false;
  private bytes = 0;
  private firstFailure: unknown;

  constructor(
    private readonly stream: Readable,
    options: FileSourceOptions,
  ) {
    this.iterator = stream[Symbol.asyncIterator]();
    this.maxBytes = options.maxBytes;
    this.expectedBytes = options.expectedBytes;
    this.verifyEnd = options.verifyEnd ?? (async () => undefined);
  }

  /** Why reading from the client stopped early, if it did. */
  get failure(): unknown {
    return this.firstFailure;
  }

  /** Reads until at least `count` bytes are at hand or the file ends; returns what is at hand. */
  async peek(count: number): Promise<Buffer> {
    let held = this.buffered.reduce((sum, chunk) => sum + chunk.length, 0);
    while (held < count && !this.done) {
      const chunk = await this.next();
      if (chunk === undefined) break;
      this.buffered.push(chunk);
      held += chunk.length;
    }
    return Buffer.concat(this.buffered, held);
  }

  /** Every byte of the file, the peeked ones first. Iterate once. */
  async *chunks(): AsyncGenerator<Buffer> {
    try {
      while (this.buffered.length > 0) yield this.buffered.shift()!;
      for (let chunk = await this.next(); chunk !== undefined; chunk = await this.next()) yield chunk;
      if (this.expectedBytes !== undefined && this.bytes !== this.expectedBytes) throw this.fail(sizeMismatch());
      await this.verifyEnd().catch((error: unknown) => {
        throw this.fail(error);
      });
    } finally {
      // The upstream stopped reading (it failed, or we did): stop taking bytes from the client.
      if (!this.done) this.stream.destroy();
    }
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

  private async next(): Promise<Buffer | undefined> {
    try {
      const result = await this.iterator.next();
      if (result.done) {
        this.done = true;
        return undefined;
      }
      this.bytes += result.value.length;
      if (this.bytes > this.maxBytes) {
        throw gatewayError('UPLOAD_TOO_LARGE', `The file is larger than the upload limit of ${this.maxBytes} bytes.`);
      }
      // Never hand MAVI more bytes than were announced: stop before the extra chunk leaves.
      if (this.expectedBytes !== undefined && this.bytes > this.expectedBytes) throw sizeMismatch();
      return result.value;
    } catch (error) {
      throw this.fail(error);
    }
  }
}

function sizeMismatch() {
  return gatewayError(
    'INVALID_MULTIPART',
    "The file's size does not match what the request's Content-Length implies (is the closing boundary followed by CRLF?).",
  );
}
