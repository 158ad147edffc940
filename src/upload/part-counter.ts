/**
 * Counts the parts of a multipart body as it streams past, by its delimiters.
 * graphql-upload-minimal hands the resolver the file as soon as the `map` is
 * read, and quietly ignores file parts the map does not name; a request with a
 * second file would then still get its first one registered at MAVI. Counting
 * delimiters (CRLF "--" boundary, which by RFC 2046 never occurs inside a part)
 * lets the upload refuse such a request before MAVI sees the end of its body.
 */
import type { IncomingMessage } from 'node:http';

export interface PartCount {
  /** Resolves with the number of parts once the whole body has arrived; rejects if it never does. */
  readonly total: Promise<number>;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
}

export function countParts(req: IncomingMessage, boundary: string): PartCount {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let delimiters = 0;
  let tail = Buffer.alloc(0);

  const total = new Promise<number>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      // A delimiter split across two chunks: look at the seam, then inside the chunk.
      const seam = Buffer.concat([tail, chunk.subarray(0, delimiter.length - 1)]);
      if (seam.includes(delimiter)) delimiters += 1;
      for (let at = chunk.indexOf(delimiter); at !== -1; at = chunk.indexOf(delimiter, at + delimiter.length)) {
        delimiters += 1;
      }
      tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - (delimiter.length - 1))));
    });
    // The first part opens with "--boundary" at the very start (no CRLF); the last delimiter closes the body.
    req.once('end', () => resolve(delimiters));
    req.once('close', () => {
      if (!req.readableEnded) reject(new Error('the request ended before its multipart body did'));
    });
  });
  total.catch(() => undefined); // observed by the upload, if it gets that far
  return { total };
}
