/**
 * A multipart/form-data body with one file part, written as an async iterable so
 * that undici streams it (Transfer-Encoding: chunked) while the file is still
 * arriving. undici's FormData cannot take a stream; this can, and it never holds
 * more than the chunk in hand.
 */
import { randomBytes } from 'node:crypto';

export interface MultipartFileBody {
  contentType: string;
  body: AsyncIterable<Uint8Array>;
  /** The whole body's size, when the file's size was given. */
  contentLength: number | undefined;
}

export function multipartFileBody(
  fieldName: string,
  fileName: string,
  fileContentType: string,
  chunks: AsyncIterable<Uint8Array>,
  fileSize?: number,
): MultipartFileBody {
  const boundary = `----mavi-gateway-${randomBytes(16).toString('hex')}`;
  const preamble = Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${escapeQuoted(fieldName)}"; filename="${escapeQuoted(fileName)}"\r\n` +
      `Content-Type: ${fileContentType}\r\n\r\n`,
  );
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);

  async function* body() {
    yield preamble;
    yield* chunks;
    yield epilogue;
  }
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: body(),
    contentLength: fileSize === undefined ? undefined : preamble.length + fileSize + epilogue.length,
  };
}

/** The escaping browsers apply to names in a form-data part header (WHATWG HTML, "multipart/form-data encoding"). */
function escapeQuoted(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}
