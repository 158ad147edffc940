/**
 * Splits a multipart upload request's bytes between busboy and the file, and
 * alone keeps their offsets in the request.
 *
 * busboy reads every byte but the file's own: the envelope (`operations`, `map`,
 * the file's part headers) and the tail (from the file's closing delimiter to
 * the end). Once busboy has announced the file, the file's bytes go straight to
 * the file's stream, and its end is found with a native search
 * (delimiter-scan.ts); from the delimiter on, busboy reads again, so the end of
 * the request is checked by the same parser as its head. busboy's search in
 * JavaScript was the largest cost per byte after the upstream writes
 * (bench/ANALYSIS.md).
 */
import { Readable } from 'node:stream';
import { DelimiterScan } from './delimiter-scan.js';

/** What pauses the request: the parser's buffer is full, or the file's reader is. */
export type Hold = (what: 'parser' | 'file', on: boolean) => void;

/** The parser's side of a stream: busboy's `write` and `drain`. */
interface ParserInput {
  write(bytes: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export class RequestSplitter {
  /** Finds the file's first byte in the envelope (and with it, the file's size from Content-Length). */
  private readonly fileStart: FileStartScanner;
  /** Bytes of the request routed so far. */
  private routed = 0;
  /** The chunk the parser is reading now, while it does: its place in the request. */
  private parsing: { start: number; end: number } | undefined;
  /** The file, from its first byte to its closing delimiter: the scan that finds its end, and its stream. */
  private file: { scan: DelimiterScan; out: Readable } | undefined;
  /** Once the file was taken: where it starts, and the end of the bytes the parser had read then. */
  private taken: { fileStart: number; parserEnd: number } | undefined;

  /**
   * @param delimiter CRLF "--" boundary (RFC 2046), or undefined when the
   *   Content-Type names no boundary (the parser then fails, and reads every byte).
   */
  constructor(
    private readonly parser: ParserInput,
    private readonly delimiter: Buffer | undefined,
    private readonly hold: Hold,
  ) {
    this.fileStart = new FileStartScanner(delimiter);
  }

  /** Routes the request's next chunk. */
  push(chunk: Buffer): void {
    const start = this.routed;
    this.routed += chunk.length;
    if (!this.fileStart.done) this.fileStart.push(chunk);
    if (this.file !== undefined) return this.toFile(chunk);
    this.parsing = { start, end: this.routed };
    this.toParser(chunk);
    this.parsing = undefined;
    // The file was taken in this chunk (takeFile checked that it starts here): its bytes here are the file's first.
    if (this.file !== undefined) this.toFile(chunk.subarray(this.taken!.fileStart - start));
  }

  /**
   * Called at the parser's `file` event (within `push`): the file's stream, from
   * its first byte, when that byte is in the chunk the parser is reading; the
   * parser's own stream for the file is then drained unread. Undefined otherwise
   * (a head too large for FileStartScanner): the parser's stream stays the file.
   */
  takeFile(): Readable | undefined {
    const start = this.fileStart.fileStart;
    const parsing = this.parsing;
    if (parsing === undefined || start === undefined || start < parsing.start || start > parsing.end) return undefined;
    const out = new Readable({ read: () => this.hold('file', false) });
    // A file the upload stops reading (it failed) no longer holds the request: its bytes are dropped.
    out.once('close', () => this.hold('file', false));
    // A failure after the upload read the file's end (a part after it) breaks a stream no one reads:
    // heard here, so that it cannot crash the process; the upload learns it from requestComplete().
    out.on('error', () => undefined);
    this.file = { scan: new DelimiterScan(this.delimiter!, start), out };
    this.taken = { fileStart: start, parserEnd: parsing.end };
    return out;
  }

  /** The file's size implied by the request's Content-Length, once the file's first byte is known. */
  declaredFileSize(contentLength: string | undefined): number | undefined {
    return this.fileStart.fileSizeFrom(contentLength);
  }

  private toParser(bytes: Buffer): void {
    if (!this.parser.write(bytes)) {
      this.hold('parser', true);
      this.parser.once('drain', () => this.hold('parser', false));
    }
  }

  private toFile(bytes: Buffer): void {
    const { scan, out } = this.file!;
    const step = scan.push(bytes);
    for (const body of step.body) if (!out.destroyed && !out.push(body)) this.hold('file', true);
    if (step.rest === undefined) return;
    this.file = undefined;
    if (!out.destroyed) out.push(null);
    // The parser reads on from the delimiter, less what it read of it in the chunk the file was taken in.
    const unread = step.rest.bytes.subarray(Math.max(0, this.taken!.parserEnd - step.rest.offset));
    if (unread.length > 0) this.toParser(unread);
  }
}

/**
 * Finds the offset of the file's first byte: after the third part's headers
 * (`operations`, `map`, the file). With it, the file's size follows from the
 * request's Content-Length (MAVI_UPLOAD_CONTENT_LENGTH). Linear in the bytes it
 * reads: each search starts where the last one stopped, and the head is kept in
 * one buffer that grows by doubling. It reads at most MAX_HEAD_BYTES.
 */
class FileStartScanner {
  private static readonly MAX_HEAD_BYTES = 4 * 1024 * 1024;
  private static readonly HEADER_END = Buffer.from('\r\n\r\n');
  /** A virtual CRLF first, so that the opening delimiter looks like the others. */
  private head = Buffer.from('\r\n');
  private length = 2;
  private searchFrom = 0;
  private delimitersSeen = 0;
  /** The file's first byte, once found. */
  fileStart: number | undefined;
  /** True once it needs no more bytes. */
  done = false;
  private readonly delimiter: Buffer | undefined;

  constructor(delimiter: Buffer | undefined) {
    this.delimiter = delimiter;
    this.done = delimiter === undefined;
  }

  /** Takes the next bytes of the body; true once it needs no more. */
  push(chunk: Buffer): boolean {
    if (this.done) return true;
    if (this.length + chunk.length > FileStartScanner.MAX_HEAD_BYTES) return this.stop();
    if (this.length + chunk.length > this.head.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.head.length * 2, this.length + chunk.length, 4096));
      this.head.copy(grown, 0, 0, this.length);
      this.head = grown;
    }
    chunk.copy(this.head, this.length);
    this.length += chunk.length;
    const bytes = this.head.subarray(0, this.length);
    while (this.delimitersSeen < 3) {
      const at = bytes.indexOf(this.delimiter!, this.searchFrom);
      if (at === -1) {
        this.searchFrom = Math.max(this.searchFrom, this.length - this.delimiter!.length + 1);
        return false;
      }
      this.delimitersSeen += 1;
      this.searchFrom = at + this.delimiter!.length;
    }
    const end = bytes.indexOf(FileStartScanner.HEADER_END, this.searchFrom);
    if (end === -1) {
      this.searchFrom = Math.max(this.searchFrom, this.length - FileStartScanner.HEADER_END.length + 1);
      return false;
    }
    this.fileStart = end + FileStartScanner.HEADER_END.length - 2; // less the virtual CRLF
    return this.stop();
  }

  /**
   * length − (bytes before the file) − closing delimiter (CRLF "--" boundary "--" CRLF,
   * as curl, browsers and undici send it). The upload proves it right or fails.
   */
  fileSizeFrom(contentLength: string | undefined): number | undefined {
    const declared = Number(contentLength);
    if (contentLength === undefined || !Number.isSafeInteger(declared) || this.fileStart === undefined)
      return undefined;
    return declared - this.fileStart - (this.delimiter!.length + 4);
  }

  private stop(): boolean {
    this.done = true;
    this.head = Buffer.alloc(0);
    return true;
  }
}
