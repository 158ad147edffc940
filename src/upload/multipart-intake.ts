/**
 * Reads a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec)
 * with busboy, as a stream: `operations`, then `map`, then exactly one file.
 *
 * The operations resolve as soon as `map` is read, so the resolver can stream the
 * file to MAVI while the client is still sending it. Yoga's own multipart support
 * would buffer the whole file first.
 *
 * Every problem, at any point of the body, ends as one MultipartRequestError that
 * names it: before the operations are known it rejects them; afterwards it breaks
 * the file stream the upload is reading, so the upload fails with it. The parser's
 * errors are all caught here (graphql-upload-minimal's processRequest listened
 * with `once` and let a second parser error crash the process).
 *
 * busboy reads every byte but the file's own: once it has announced the file (its
 * part headers checked), the file's bytes go straight to the upload, and the end
 * of the file is found with a native search (delimiter-scan.ts); from the
 * delimiter on, busboy reads again, so the end of the request is checked by the
 * same parser as its head. busboy's search in JavaScript was the largest cost per
 * byte after the upstream writes (bench/ANALYSIS.md).
 *
 * A request is whole only when busboy has read it to its closing delimiter with
 * nothing but the one file after `map`; `IncomingFile.requestComplete` says so,
 * and the upload holds back the end of its upstream body until it does, so MAVI
 * never completes a video from a request that is then refused.
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { Upload } from 'graphql-upload-minimal';
import { DelimiterScan } from './delimiter-scan.js';
import { MultipartRequestError } from './multipart-errors.js';

/** The file of an upload request, as the Upload scalar hands it to the resolver. */
export interface IncomingFile {
  filename: string;
  mimetype: string;
  /** The file's bytes; can be taken once. */
  createReadStream(): Readable;
  /** Resolves once the request ended with nothing after this file; rejects with a MultipartRequestError otherwise. */
  requestComplete(): Promise<void>;
  /** The file's size implied by the request's Content-Length, when asked for and declared. */
  declaredFileSize(): number | undefined;
  /** Why the request broke, once it has: it explains any error the file stream gave. */
  failure(): MultipartRequestError | undefined;
}

export interface MultipartIntakeOptions {
  /** Largest `operations` or `map` field. */
  maxFieldBytes: number;
  /** Tell the file's size from Content-Length and the file's first byte (`declaredFileSize`). */
  measureFileStart: boolean;
}

const SPEC = 'see https://github.com/jaydenseric/graphql-multipart-request-spec';

/**
 * graphql-upload-minimal's Upload: the value the Upload scalar receives, a promise
 * of the file that settles when its part arrives (its typings omit resolve/reject).
 */
type PendingUpload = Upload & { resolve(file: IncomingFile): void; reject(error: unknown): void };

/** Path segments that would reach an object's prototype. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Starts reading `req` and resolves with the operations, the file's place in them
 * holding an Upload, once `map` has arrived. Rejects with a MultipartRequestError.
 */
export function readMultipartUpload(
  req: IncomingMessage,
  options: MultipartIntakeOptions,
): Promise<Record<string, unknown>> {
  return new Promise((resolveOperations, rejectOperations) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // RFC 7578: file names are UTF-8; busboy's default (latin1) turns "vidéo" into mojibake.
        defParamCharset: 'utf8',
        // A third field is refused by name below; busboy's counts stop anything past that.
        limits: { fieldSize: options.maxFieldBytes, fields: 3, files: 1, headerPairs: 16 },
      });
    } catch (error) {
      rejectOperations(
        new MultipartRequestError(
          'INVALID_MULTIPART',
          `The multipart Content-Type is not usable: ${messageOf(error)}.`,
        ),
      );
      return;
    }

    let operations: Record<string, unknown> | undefined;
    let fileField: string | undefined;
    let upload: PendingUpload | undefined;
    let fileStream: Readable | undefined;
    let failure: MultipartRequestError | undefined;
    let finished = false;
    const boundary = boundaryOf(req.headers['content-type']);
    /** CRLF "--" boundary: what ends every part (RFC 2046). */
    const delimiter = boundary === undefined ? undefined : Buffer.from(`\r\n--${boundary}`);
    const fileStart = new FileStartScanner(delimiter);
    const contentLength = req.headers['content-length'];
    /** Who reads the next bytes: busboy, or (between the file's first byte and its end) the scan. */
    let fileBody: { scan: DelimiterScan; out: Readable } | undefined;
    /** Bytes of the request routed so far; the chunk busboy is reading now, while it does. */
    let routed = 0;
    let reading: { start: number; end: number } | undefined;
    /** Once the scan has the file: where it starts, and the end of the bytes busboy had read then. */
    let takenOver: { fileStart: number; busboyEnd: number } | undefined;
    /** What pauses the request: busboy's buffer, or the file's reader. */
    const holds = new Set<'busboy' | 'file'>();
    const hold = (what: 'busboy' | 'file', on: boolean) => {
      if (on) holds.add(what);
      else holds.delete(what);
      if (holds.size > 0) req.pause();
      else if (!failure) req.resume();
    };

    let settleComplete!: (error?: MultipartRequestError) => void;
    const complete = new Promise<void>((resolve, reject) => {
      settleComplete = (error) => (error ? reject(error) : resolve());
    });
    complete.catch(() => undefined); // awaited by the upload, if it gets that far

    const fail = (code: MultipartRequestError['code'], message: string, clientGone = false) => {
      if (failure || finished) return;
      failure = new MultipartRequestError(code, message, { clientGone });
      rejectOperations(failure);
      upload?.reject(failure);
      if (fileStream && !fileStream.destroyed) fileStream.destroy(failure);
      settleComplete(failure);
      req.off('data', route);
      req.pause();
      parser.destroy();
      // The rest of the body is not read: the refusal closes the connection.
    };

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) {
        return fail(
          'INVALID_MULTIPART',
          `The '${name}' multipart field is larger than ${options.maxFieldBytes} bytes.`,
        );
      }
      if (name === 'operations' && operations === undefined) {
        const parsed = parseJson(value);
        if (parsed === undefined) return fail('INVALID_MULTIPART', `Invalid JSON in the 'operations' multipart field.`);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          return fail('INVALID_MULTIPART', `The 'operations' multipart field must be one JSON object (${SPEC}).`);
        }
        operations = parsed as Record<string, unknown>;
        return;
      }
      if (name === 'map' && fileField === undefined) {
        if (operations === undefined) {
          return fail('INVALID_MULTIPART', `Misordered multipart fields; 'map' should follow 'operations' (${SPEC}).`);
        }
        const mapped = placeUpload(operations, parseJson(value));
        if ('code' in mapped) return fail(mapped.code, mapped.message);
        fileField = mapped.field;
        upload = mapped.upload;
        resolveOperations(operations);
        return;
      }
      if (name === fileField) {
        return fail('INVALID_MULTIPART', `The part '${name}' must be a file (with a filename), not a plain field.`);
      }
      return fail(
        'INVALID_MULTIPART',
        `Unexpected field '${name.slice(0, 64)}': a request carries 'operations', then 'map', then the file (${SPEC}).`,
      );
    });

    parser.on('file', (name, stream, info) => {
      // busboy breaks an open file stream with its own error when the body is malformed: always
      // heard here (an unheard one would crash the process) and turned into the request's failure.
      stream.on('error', (error) => fail('INVALID_MULTIPART', `The multipart body is malformed: ${messageOf(error)}.`));
      if (upload === undefined || fileField === undefined) {
        stream.resume();
        return fail('INVALID_MULTIPART', `Misordered multipart fields; files should follow 'map' (${SPEC}).`);
      }
      if (name !== fileField) {
        stream.resume();
        return fail(
          'INVALID_MULTIPART',
          `The file part '${name.slice(0, 64)}' is not the one 'map' names ('${fileField}').`,
        );
      }
      fileStream = takeOverFile(stream);
      let handedOut = false;
      const file: IncomingFile = {
        filename: info.filename ?? '',
        mimetype: info.mimeType,
        createReadStream: () => {
          if (handedOut) throw new MultipartRequestError('ONE_FILE_ONLY', 'The file can be used by one upload only.');
          handedOut = true;
          return fileStream!;
        },
        requestComplete: () => complete,
        declaredFileSize: () => (options.measureFileStart ? fileStart.fileSizeFrom(contentLength) : undefined),
        failure: () => failure,
      };
      upload.resolve(file);
    });

    parser.on('filesLimit', () => fail('ONE_FILE_ONLY', 'Only one file per request is accepted.'));
    parser.on('partsLimit', () =>
      fail('ONE_FILE_ONLY', 'Only one file per request is accepted, and nothing after it.'),
    );
    // `on`, not `once`: busboy may report more than one error for one broken body.
    parser.on('error', (error: unknown) =>
      fail('INVALID_MULTIPART', `The multipart body is malformed: ${messageOf(error)}.`),
    );
    parser.on('close', () => {
      if (failure) return;
      if (operations === undefined) return fail('INVALID_MULTIPART', `Missing multipart field 'operations' (${SPEC}).`);
      if (fileField === undefined) return fail('INVALID_MULTIPART', `Missing multipart field 'map' (${SPEC}).`);
      if (fileStream === undefined) {
        return fail('INVALID_MULTIPART', `The file '${fileField}' that 'map' names is missing from the request.`);
      }
      finished = true;
      settleComplete();
    });

    /**
     * From the file's first byte, when it is in the chunk busboy is reading now, the
     * file's bytes are the scan's: busboy's own file stream is drained unread, and
     * busboy reads again from the delimiter on (see the top of this file). Otherwise
     * (a head too large for FileStartScanner) busboy's stream is the file.
     */
    function takeOverFile(busboyStream: Readable): Readable {
      const start = fileStart.fileStart;
      if (reading === undefined || start === undefined || start < reading.start || start > reading.end) {
        return busboyStream;
      }
      busboyStream.resume();
      const out = new Readable({ read: () => hold('file', false) });
      // A file the upload stops reading (it failed) no longer holds the request: its bytes are dropped.
      out.once('close', () => hold('file', false));
      // A failure after the upload read the file's end (a part after it) breaks a stream no one reads:
      // heard here, so that it cannot crash the process; the upload learns it from requestComplete().
      out.on('error', () => undefined);
      fileBody = { scan: new DelimiterScan(delimiter!, start), out };
      takenOver = { fileStart: start, busboyEnd: reading.end };
      return out;
    }

    function toBusboy(bytes: Buffer): void {
      if (!parser.write(bytes)) {
        hold('busboy', true);
        parser.once('drain', () => hold('busboy', false));
      }
    }

    function toScan(bytes: Buffer): void {
      const { scan, out } = fileBody!;
      const step = scan.push(bytes);
      for (const body of step.body) if (!out.destroyed && !out.push(body)) hold('file', true);
      if (step.rest === undefined) return;
      fileBody = undefined;
      if (!out.destroyed) out.push(null);
      // busboy reads on from the delimiter, less what it read of it in the chunk it took the file in.
      const unread = step.rest.bytes.subarray(Math.max(0, takenOver!.busboyEnd - step.rest.offset));
      if (unread.length > 0) toBusboy(unread);
    }

    function route(chunk: Buffer): void {
      const start = routed;
      routed += chunk.length;
      if (!fileStart.done) fileStart.push(chunk);
      if (fileBody !== undefined) return toScan(chunk);
      reading = { start, end: routed };
      toBusboy(chunk);
      reading = undefined;
      // The scan took the file in this chunk (takeOverFile checked that it starts here): its bytes here are the scan's first.
      if (fileBody !== undefined) toScan(chunk.subarray(takenOver!.fileStart - start));
    }

    req.once('close', () => {
      if (!req.complete) fail('INVALID_MULTIPART', 'The request ended before its multipart body did.', true);
    });
    req.on('data', route);
    req.once('end', () => {
      if (!failure) parser.end();
    });
  });
}

/** Puts an Upload where `map` says; only one file, at one place, is accepted. */
function placeUpload(
  operations: Record<string, unknown>,
  map: unknown,
): { field: string; upload: PendingUpload } | { code: 'INVALID_MULTIPART' | 'ONE_FILE_ONLY'; message: string } {
  if (map === undefined) return { code: 'INVALID_MULTIPART', message: `Invalid JSON in the 'map' multipart field.` };
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    return { code: 'INVALID_MULTIPART', message: `The 'map' multipart field must be a JSON object (${SPEC}).` };
  }
  const entries = Object.entries(map);
  if (entries.length !== 1) {
    return entries.length === 0
      ? { code: 'INVALID_MULTIPART', message: "The 'map' multipart field names no file." }
      : { code: 'ONE_FILE_ONLY', message: `Only one file per request is accepted; 'map' names ${entries.length}.` };
  }
  const [field, paths] = entries[0]!;
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((path) => typeof path === 'string')) {
    return { code: 'INVALID_MULTIPART', message: `'map' must give the file '${field}' a list of paths (${SPEC}).` };
  }
  if (paths.length > 1) {
    return {
      code: 'ONE_FILE_ONLY',
      message: `The file '${field}' is mapped to ${paths.length} places; one file makes one upload, so map it once.`,
    };
  }
  const upload = new Upload() as PendingUpload;
  const path = paths[0] as string;
  if (!setAtPath(operations, path, upload)) {
    return {
      code: 'INVALID_MULTIPART',
      message: `The path "${path.slice(0, 128)}" in "map" does not exist in "operations".`,
    };
  }
  return { field, upload };
}

/** Sets operations[a][b]…[z] = value where every step but the last exists; false otherwise. */
function setAtPath(root: Record<string, unknown>, path: string, value: unknown): boolean {
  const segments = path.split('.');
  let target: unknown = root;
  for (const [index, segment] of segments.entries()) {
    if (FORBIDDEN_SEGMENTS.has(segment) || target === null || typeof target !== 'object') return false;
    const container = target as Record<string, unknown>;
    if (index === segments.length - 1) {
      if (!Object.hasOwn(container, segment)) return false;
      container[segment] = value;
      return true;
    }
    if (!Object.hasOwn(container, segment)) return false;
    target = container[segment];
  }
  return false;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
}

function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
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
