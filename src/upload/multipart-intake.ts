/**
 * Reads a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec)
 * with busboy, as a stream, in three phases:
 *  1. the envelope: `operations`, then `map`, which places the file's Upload in
 *     the operations. The operations resolve here, so the resolver can stream
 *     the file to MAVI while the client is still sending it (Yoga's own
 *     multipart support would buffer the whole file first);
 *  2. the file: the one part `map` names, streamed to the upload
 *     (request-splitter.ts routes its bytes);
 *  3. the tail: nothing but the closing delimiter may follow the file.
 *
 * Every problem, at any point of the body, ends as one MultipartRequestError that
 * names it: before the operations are known it rejects them; afterwards it breaks
 * the file stream the upload is reading, so the upload fails with it. The parser's
 * errors are all caught here (graphql-upload-minimal's processRequest listened
 * with `once` and let a second parser error crash the process).
 *
 * A request is whole only when busboy has read it to its closing delimiter with
 * nothing but the one file after `map`; `IncomingFile.requestComplete` says so,
 * and the upload holds back the end of its upstream body until it does, so MAVI
 * never completes a video from a request that is then refused.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { Upload } from 'graphql-upload-minimal';
import { MultipartRequestError } from './multipart-errors.js';
import { RequestSplitter } from './request-splitter.js';

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

/** Where the intake is in the request, and what it has learnt so far. */
type Phase =
  | { name: 'envelope'; operations: Record<string, unknown> | undefined }
  | { name: 'file'; fileField: string; upload: PendingUpload }
  | { name: 'tail'; fileField: string }
  | { name: 'complete' }
  | { name: 'failed'; failure: MultipartRequestError };

type FailureCode = MultipartRequestError['code'];

/**
 * Starts reading `req` and resolves with the operations, the file's place in them
 * holding an Upload, once `map` has arrived. Rejects with a MultipartRequestError.
 */
export function readMultipartUpload(
  req: IncomingMessage,
  options: MultipartIntakeOptions,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
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
      reject(
        new MultipartRequestError(
          'INVALID_MULTIPART',
          `The multipart Content-Type is not usable: ${messageOf(error)}.`,
        ),
      );
      return;
    }
    new MultipartIntake(req, parser, options, { resolve, reject }).start();
  });
}

class MultipartIntake {
  private phase: Phase = { name: 'envelope', operations: undefined };
  /** The file's stream, once its part has arrived (busboy's, or the splitter's). */
  private fileStream: Readable | undefined;
  private readonly splitter: RequestSplitter;
  /** Read now: the request stage drops the header once the envelope is read (edge/upload-request.ts). */
  private readonly contentLength: string | undefined;
  /** What pauses the request now. */
  private readonly holds = new Set<'parser' | 'file'>();
  /** Settles when the request ends: whole (the tail read), or broken. */
  private readonly complete: Promise<void>;
  private settleComplete!: (error?: MultipartRequestError) => void;

  constructor(
    private readonly req: IncomingMessage,
    private readonly parser: busboy.Busboy,
    private readonly options: MultipartIntakeOptions,
    private readonly operations: {
      resolve(operations: Record<string, unknown>): void;
      reject(error: MultipartRequestError): void;
    },
  ) {
    this.contentLength = req.headers['content-length'];
    const boundary = boundaryOf(req.headers['content-type']);
    /** CRLF "--" boundary: what ends every part (RFC 2046). */
    const delimiter = boundary === undefined ? undefined : Buffer.from(`\r\n--${boundary}`);
    this.splitter = new RequestSplitter(parser, delimiter, (what, on) => this.hold(what, on));
    this.complete = new Promise<void>((resolveComplete, rejectComplete) => {
      this.settleComplete = (error) => (error ? rejectComplete(error) : resolveComplete());
    });
    this.complete.catch(() => undefined); // awaited by the upload, if it gets that far
  }

  start(): void {
    const { parser, req } = this;
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) {
        return this.fail(
          'INVALID_MULTIPART',
          `The '${name}' multipart field is larger than ${this.options.maxFieldBytes} bytes.`,
        );
      }
      this.onField(name, value);
    });
    parser.on('file', (name, stream, info) => this.onFile(name, stream, info));
    parser.on('filesLimit', () => this.fail('ONE_FILE_ONLY', 'Only one file per request is accepted.'));
    parser.on('partsLimit', () =>
      this.fail('ONE_FILE_ONLY', 'Only one file per request is accepted, and nothing after it.'),
    );
    // `on`, not `once`: busboy may report more than one error for one broken body.
    parser.on('error', (error: unknown) =>
      this.fail('INVALID_MULTIPART', `The multipart body is malformed: ${messageOf(error)}.`),
    );
    parser.on('close', () => this.onEnd());

    req.once('close', () => {
      if (!req.complete) this.fail('INVALID_MULTIPART', 'The request ended before its multipart body did.', true);
    });
    req.on('data', this.route);
    req.once('end', () => {
      if (this.phase.name !== 'failed') parser.end();
    });
  }

  private readonly route = (chunk: Buffer) => this.splitter.push(chunk);

  /** Phase 1: `operations`, then `map`; no other field, in any phase. */
  private onField(name: string, value: string): void {
    const phase = this.phase;
    if (phase.name === 'envelope' && name === 'operations' && phase.operations === undefined) {
      const parsed = parseJson(value);
      if (parsed === undefined)
        return this.fail('INVALID_MULTIPART', `Invalid JSON in the 'operations' multipart field.`);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return this.fail('INVALID_MULTIPART', `The 'operations' multipart field must be one JSON object (${SPEC}).`);
      }
      phase.operations = parsed as Record<string, unknown>;
      return;
    }
    if (phase.name === 'envelope' && name === 'map') {
      if (phase.operations === undefined) {
        return this.fail(
          'INVALID_MULTIPART',
          `Misordered multipart fields; 'map' should follow 'operations' (${SPEC}).`,
        );
      }
      const mapped = placeUpload(phase.operations, parseJson(value));
      if ('code' in mapped) return this.fail(mapped.code, mapped.message);
      this.phase = { name: 'file', fileField: mapped.field, upload: mapped.upload };
      this.operations.resolve(phase.operations);
      return;
    }
    if ((phase.name === 'file' || phase.name === 'tail') && name === phase.fileField) {
      return this.fail('INVALID_MULTIPART', `The part '${name}' must be a file (with a filename), not a plain field.`);
    }
    this.fail(
      'INVALID_MULTIPART',
      `Unexpected field '${name.slice(0, 64)}': a request carries 'operations', then 'map', then the file (${SPEC}).`,
    );
  }

  /** Phase 2: the one file `map` names; its bytes go to the upload. */
  private onFile(name: string, stream: Readable, info: busboy.FileInfo): void {
    // busboy breaks an open file stream with its own error when the body is malformed: always
    // heard here (an unheard one would crash the process) and turned into the request's failure.
    stream.on('error', (error) =>
      this.fail('INVALID_MULTIPART', `The multipart body is malformed: ${messageOf(error)}.`),
    );
    const phase = this.phase;
    if (phase.name !== 'file') {
      stream.resume();
      return this.fail('INVALID_MULTIPART', `Misordered multipart fields; files should follow 'map' (${SPEC}).`);
    }
    if (name !== phase.fileField) {
      stream.resume();
      return this.fail(
        'INVALID_MULTIPART',
        `The file part '${name.slice(0, 64)}' is not the one 'map' names ('${phase.fileField}').`,
      );
    }
    const taken = this.splitter.takeFile();
    if (taken) stream.resume(); // busboy's copy of the file's bytes is drained unread
    const fileStream = taken ?? stream;
    this.fileStream = fileStream;
    this.phase = { name: 'tail', fileField: phase.fileField };
    let handedOut = false;
    phase.upload.resolve({
      filename: info.filename ?? '',
      mimetype: info.mimeType,
      createReadStream: () => {
        if (handedOut) throw new MultipartRequestError('ONE_FILE_ONLY', 'The file can be used by one upload only.');
        handedOut = true;
        return fileStream;
      },
      requestComplete: () => this.complete,
      declaredFileSize: () =>
        this.options.measureFileStart ? this.splitter.declaredFileSize(this.contentLength) : undefined,
      failure: () => (this.phase.name === 'failed' ? this.phase.failure : undefined),
    });
  }

  /** Phase 3: the parser read the request to its end; whole only when the file came and nothing after it. */
  private onEnd(): void {
    const phase = this.phase;
    switch (phase.name) {
      case 'envelope':
        return phase.operations === undefined
          ? this.fail('INVALID_MULTIPART', `Missing multipart field 'operations' (${SPEC}).`)
          : this.fail('INVALID_MULTIPART', `Missing multipart field 'map' (${SPEC}).`);
      case 'file':
        return this.fail(
          'INVALID_MULTIPART',
          `The file '${phase.fileField}' that 'map' names is missing from the request.`,
        );
      case 'tail':
        this.phase = { name: 'complete' };
        return this.settleComplete();
      case 'complete':
      case 'failed':
        return;
    }
  }

  private fail(code: FailureCode, message: string, clientGone = false): void {
    const phase = this.phase;
    if (phase.name === 'failed' || phase.name === 'complete') return;
    const failure = new MultipartRequestError(code, message, { clientGone });
    this.phase = { name: 'failed', failure };
    this.operations.reject(failure);
    if (phase.name === 'file') phase.upload.reject(failure);
    if (this.fileStream && !this.fileStream.destroyed) this.fileStream.destroy(failure);
    this.settleComplete(failure);
    this.req.off('data', this.route);
    this.req.pause();
    this.parser.destroy();
    // The rest of the body is not read: the refusal closes the connection.
  }

  private hold(what: 'parser' | 'file', on: boolean): void {
    if (on) this.holds.add(what);
    else this.holds.delete(what);
    if (this.holds.size > 0) this.req.pause();
    else if (this.phase.name !== 'failed') this.req.resume();
  }
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
