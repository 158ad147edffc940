/**
 * The multipart intake's splitter (src/upload/request-splitter.ts), without a
 * socket: a real busboy parser reads the envelope and the tail, the splitter
 * hands the file's bytes to the file's stream, and the file comes out whole
 * whatever the chunk boundaries, including boundaries inside the delimiter and
 * file bytes that look like the start of one.
 */
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { describe, expect, it } from 'vitest';
import { RequestSplitter } from '../../src/upload/request-splitter.js';

const BOUNDARY = 'splitter-test-boundary';

function requestBody(file: Buffer, after = ''): Buffer {
  const part = (headers: string, body: string | Buffer) =>
    Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n${headers}\r\n\r\n`), Buffer.from(body), Buffer.from('\r\n')]);
  return Buffer.concat([
    part(
      'Content-Disposition: form-data; name="operations"',
      '{"query":"mutation($f:Upload!){u(file:$f)}","variables":{"f":null}}',
    ),
    part('Content-Disposition: form-data; name="map"', '{"0":["variables.f"]}'),
    part('Content-Disposition: form-data; name="0"; filename="clip.mp4"\r\nContent-Type: video/mp4', file),
    Buffer.from(after),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
}

interface Outcome {
  file: Buffer;
  /** The splitter took the file (the native scan), rather than leaving it to busboy's stream. */
  taken: boolean;
  fields: string[];
  declaredFileSize: number | undefined;
}

/** Feeds `body` in chunks of `chunkSize` through busboy and the splitter; resolves once both the parser and the file ended. */
async function split(body: Buffer, chunkSize: number): Promise<Outcome> {
  const parser = busboy({
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  });
  const splitter = new RequestSplitter(parser, Buffer.from(`\r\n--${BOUNDARY}`), () => undefined);
  const fields: string[] = [];
  let taken = false;
  let fileDone: Promise<Buffer> | undefined;
  parser.on('field', (name) => fields.push(name));
  parser.on('file', (_name, stream) => {
    const own = splitter.takeFile();
    taken = own !== undefined;
    if (own) stream.resume();
    fileDone = collect(own ?? stream);
  });
  const parsed = new Promise<void>((resolve, reject) => {
    parser.once('close', resolve);
    parser.once('error', reject);
  });
  for (let at = 0; at < body.length; at += chunkSize) splitter.push(body.subarray(at, at + chunkSize));
  parser.end();
  await parsed;
  return {
    file: await fileDone!,
    taken,
    fields,
    declaredFileSize: splitter.declaredFileSize(String(body.length)),
  };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the request splitter', () => {
  // Bytes that begin a delimiter without being one: CR, CRLF, CRLF "-", CRLF "--" and a boundary's prefix.
  const tricky = Buffer.from(`a\r\nb\r\n-c\r\n--d\r\n--${BOUNDARY.slice(0, 10)}e\r\r\n\r\n--`);

  it('gives the file its exact bytes at every chunk size, and busboy the envelope and the tail', async () => {
    const body = requestBody(tricky);
    for (let chunkSize = 1; chunkSize <= body.length; chunkSize += 1) {
      const outcome = await split(body, chunkSize);
      expect(outcome.file.equals(tricky), `chunks of ${chunkSize}`).toBe(true);
      expect(outcome.fields).toEqual(['operations', 'map']);
      expect(outcome.declaredFileSize).toBe(tricky.length);
    }
  });

  it('takes the file with the native scan when its first byte arrives in the chunk busboy reads', async () => {
    const file = Buffer.alloc(256 * 1024, 7);
    const outcome = await split(requestBody(file), 64 * 1024);
    expect(outcome.taken).toBe(true);
    expect(outcome.file.equals(file)).toBe(true);
  });

  it('hands what follows the file back to busboy, which sees a part after it', async () => {
    const extra = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="extra"\r\n\r\nx\r\n`;
    const body = requestBody(tricky, extra);
    for (let chunkSize = 1; chunkSize <= body.length; chunkSize += 1) {
      const outcome = await split(body, chunkSize);
      expect(outcome.file.equals(tricky)).toBe(true);
      expect(outcome.fields, `chunks of ${chunkSize}`).toEqual(['operations', 'map', 'extra']);
    }
  });

  it('finds an empty file, and its size from Content-Length', async () => {
    for (const chunkSize of [1, 3, 1000]) {
      const outcome = await split(requestBody(Buffer.alloc(0)), chunkSize);
      expect(outcome.file.length).toBe(0);
      expect(outcome.declaredFileSize).toBe(0);
    }
  });
});
