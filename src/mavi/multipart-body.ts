/**
 * A multipart/form-data body of plain fields and then one file part, written as
 * a stream so that undici streams it (Transfer-Encoding: chunked) while the file
 * is still arriving. undici's FormData cannot take a stream; this can, and it
 * never holds more than a chunk or two. A stream rather than an async iterable:
 * undici writes a stream's chunks from their own events, with no promise and
 * microtask per chunk (bench/ANALYSIS.md, issue 17).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export interface MultipartFileBody {
  contentType: string;
  body: Readable;
  /** The whole body's size, when the file's size was given. */
  contentLength: number | undefined;
}

export interface MultipartFileParts {
  /** Plain form fields, sent before the file (the successor family wants them first). */
  fields?: readonly (readonly [string, string])[];
  fileField: string;
  fileName: string;
  fileContentType: string;
  file: Readable;
  fileSize?: number;
}

export function multipartFileBody(parts: MultipartFileParts): MultipartFileBody {
  const boundary = `----mavi-gateway-${randomBytes(16).toString('hex')}`;
  const fields = (parts.fields ?? []).map(([name, value]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuoted(name)}"\r\n\r\n${value}\r\n`),
  );
  const preamble = Buffer.concat([
    ...fields,
    Buffer.from(
      `--${boundary}\r\n` +
        `Content-Disposition: form-data; name="${escapeQuoted(parts.fileField)}"; filename="${escapeQuoted(parts.fileName)}"\r\n` +
        `Content-Type: ${parts.fileContentType}\r\n\r\n`,
    ),
  ]);
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: framed(preamble, parts.file, epilogue),
    contentLength: parts.fileSize === undefined ? undefined : preamble.length + parts.fileSize + epilogue.length,
  };
}

/** `preamble`, then the file's chunks as they come (with its backpressure), then `epilogue`. */
function framed(preamble: Buffer, file: Readable, epilogue: Buffer): Readable {
  const body = new Readable({
    read: () => {
      file.resume();
    },
    destroy: (error, callback) => {
      file.destroy();
      callback(error);
    },
  });
  body.push(preamble);
  file.on('data', (chunk: Buffer) => {
    if (!body.push(chunk)) file.pause();
  });
  file.once('end', () => {
    body.push(epilogue);
    body.push(null);
  });
  file.once('error', (error) => body.destroy(error));
  return body;
}

/** The escaping browsers apply to names in a form-data part header (WHATWG HTML, "multipart/form-data encoding"). */
function escapeQuoted(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}
