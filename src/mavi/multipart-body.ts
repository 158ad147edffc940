/**
 * A multipart/form-data body of plain fields and then one file part, written as
 * an async iterable so that undici streams it (Transfer-Encoding: chunked) while
 * the file is still arriving. undici's FormData cannot take a stream; this can,
 * and it never holds more than the chunk in hand.
 */
import { randomBytes } from 'node:crypto';

export interface MultipartFileBody {
  contentType: string;
  body: AsyncIterable<Uint8Array>;
  /** The whole body's size, when the file's size was given. */
  contentLength: number | undefined;
}

export interface MultipartFileParts {
  /** Plain form fields, sent before the file (the successor family wants them first). */
  fields?: readonly (readonly [string, string])[];
  fileField: string;
  fileName: string;
  fileContentType: string;
  chunks: AsyncIterable<Uint8Array>;
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

  async function* body() {
    yield preamble;
    yield* parts.chunks;
    yield epilogue;
  }
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: body(),
    contentLength: parts.fileSize === undefined ? undefined : preamble.length + parts.fileSize + epilogue.length,
  };
}

/** The escaping browsers apply to names in a form-data part header (WHATWG HTML, "multipart/form-data encoding"). */
function escapeQuoted(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}
