/**
 * Proves that a multipart upload request carried one file and nothing after it.
 *
 * graphql-upload-minimal hands the resolver the file as soon as the `map` is
 * read, and quietly ignores file parts the map does not name; a request with a
 * second file would then still get its first one registered at MAVI. The upload
 * therefore holds back the end of its upstream body until this check passes.
 *
 * It costs almost nothing per byte: it reads only the request's first bytes,
 * up to the end of the file part's headers (offset P), and counts the rest.
 * Once the request has ended and the file had F bytes, what followed the file
 * is `total − P − F` bytes, which must be just the closing delimiter
 * (CRLF "--" boundary "--", and an optional CRLF). Scanning every byte for
 * delimiters instead measurably slowed uploads (see bench/RESULTS.md).
 */
import type { IncomingMessage } from 'node:http';

export class ExtraPartError extends Error {
  override name = 'ExtraPartError';
}

export interface SingleFileCheck {
  /** Resolves once the request has ended with nothing after a file of `fileBytes`; rejects otherwise. */
  verify(fileBytes: number): Promise<void>;
  /**
   * The file's size as the request's declared length implies it, once the file's headers
   * have arrived: length − (bytes before the file) − closing delimiter (with its CRLF, as
   * curl, browsers and undici send it). verify() then proves it right or fails the upload.
   */
  fileSizeFrom(declaredLength: number): number | undefined;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
}

/** Parts before the file: `operations` and `map`. */
const PARTS_BEFORE_FILE = 2;

export function watchSingleFile(req: IncomingMessage, boundary: string, maxHeadBytes: number): SingleFileCheck {
  const delimiter = Buffer.from(`--${boundary}`);
  const headerEnd = Buffer.from('\r\n\r\n');
  let total = 0;
  let head: Buffer | undefined = Buffer.alloc(0);
  /** Where the file's bytes start, once found. */
  let fileStart: number | undefined;

  const findFileStart = (bytes: Buffer): number | undefined => {
    let at = -1;
    for (let seen = 0; seen <= PARTS_BEFORE_FILE; seen += 1) {
      at = bytes.indexOf(delimiter, at + 1);
      if (at === -1) return undefined;
    }
    const end = bytes.indexOf(headerEnd, at);
    return end === -1 ? undefined : end + headerEnd.length;
  };

  const onData = (chunk: Buffer) => {
    total += chunk.length;
    if (head === undefined) return;
    head = Buffer.concat([head, chunk]);
    fileStart = findFileStart(head);
    if (fileStart !== undefined || head.length > maxHeadBytes) head = undefined;
  };
  req.on('data', onData);

  const ended = new Promise<void>((resolve, reject) => {
    req.once('end', resolve);
    req.once('close', () => {
      if (!req.readableEnded) reject(new Error('the request ended before its multipart body did'));
    });
  });
  ended.catch(() => undefined); // observed by verify, if the upload gets that far

  const closing = `\r\n--${boundary}--`.length;
  return {
    fileSizeFrom(declaredLength) {
      return fileStart === undefined ? undefined : declaredLength - fileStart - closing - 2;
    },
    async verify(fileBytes) {
      await ended;
      req.off('data', onData);
      const after = fileStart === undefined ? Number.NaN : total - fileStart - fileBytes;
      if (!(after >= closing && after <= closing + 2)) {
        throw new ExtraPartError('Only one file per request is accepted, and nothing may follow it.');
      }
    },
  };
}
