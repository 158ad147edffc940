/**
 * A client that sends GraphQL multipart requests the way curl and browsers do,
 * over a raw node:http request, so tests control every byte and the timing:
 * slow senders, aborts mid-file, malformed envelopes.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { UploadVideoDocument } from '../generated/operations.js';

export type Part =
  | { name: string; value: string }
  | { name: string; fileName: string; contentType: string; content: Buffer | AsyncIterable<Buffer> };

export interface MultipartResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body, or undefined when it is not JSON. */
  json: any;
  /** How many body bytes the client had written when the response headers arrived. */
  writtenAtResponse: number;
  /** How many body bytes the client wrote in all (less than the body when the server cut it off). */
  written: number;
}

export interface MultipartOptions {
  parts: Part[];
  headers?: Record<string, string>;
  /** Aborts the request (destroys the socket) mid-body. */
  signal?: AbortSignal;
  /** Called after each write with the total bytes written so far. */
  onProgress?: (written: number) => void;
  /** Declare the body's size in Content-Length, as curl does (parts must be Buffers); else chunked. */
  contentLength?: boolean;
  /** End with "--boundary--" and no CRLF (legal, but unlike curl and browsers). */
  omitFinalCrlf?: boolean;
}

export function postMultipart(url: string, options: MultipartOptions): Promise<MultipartResult> {
  const boundary = `----test-${randomBytes(8).toString('hex')}`;
  let written = 0;
  let writtenAtResponse = -1;

  return new Promise<MultipartResult>((resolve, reject) => {
    const headers: Record<string, string> = {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'apollo-require-preflight': 'true',
      ...options.headers,
    };
    // A header given as undefined is left out (to send a request without the preflight header).
    for (const [name, value] of Object.entries(headers)) if (value === undefined) delete headers[name];
    const closing = `--${boundary}--${options.omitFinalCrlf ? '' : '\r\n'}`;
    if (options.contentLength) headers['content-length'] = String(bodySize(options.parts, boundary, closing));
    const req = httpRequest(url, { method: 'POST', headers });
    options.signal?.addEventListener('abort', () => req.destroy(new Error('client aborted')), { once: true });
    req.on('error', reject);
    req.on('response', (res) => {
      writtenAtResponse = written;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, writtenAtResponse, written });
      });
    });

    const write = async (chunk: Buffer) => {
      if (req.destroyed || writtenAtResponse >= 0) throw new Error('stop');
      written += chunk.length;
      if (!req.write(chunk)) {
        await new Promise<void>((done, fail) => {
          const onClose = () => fail(new Error('closed'));
          req.once('close', onClose);
          req.once('drain', () => {
            req.off('close', onClose);
            done();
          });
        });
      }
      options.onProgress?.(written);
    };

    (async () => {
      for (const part of options.parts) {
        if ('value' in part) {
          await write(
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
            ),
          );
          continue;
        }
        await write(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.fileName}"\r\n` +
              `Content-Type: ${part.contentType}\r\n\r\n`,
          ),
        );
        if (Buffer.isBuffer(part.content)) await write(part.content);
        else for await (const chunk of part.content) await write(chunk);
        await write(Buffer.from('\r\n'));
      }
      await write(Buffer.from(closing));
      req.end();
    })().catch(() => {
      // The server answered or closed before the body was complete; the response (or error) decides.
    });
  });
}

function bodySize(parts: Part[], boundary: string, closing: string): number {
  let size = Buffer.byteLength(closing);
  for (const part of parts) {
    if ('value' in part) {
      size += Buffer.byteLength(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
      );
    } else {
      if (!Buffer.isBuffer(part.content)) throw new Error('contentLength needs Buffer file contents');
      size += Buffer.byteLength(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.fileName}"\r\nContent-Type: ${part.contentType}\r\n\r\n`,
      );
      size += part.content.length + 2;
    }
  }
  return size;
}

export interface UploadOptions {
  fileName?: string;
  contentType?: string;
  content: Buffer | AsyncIterable<Buffer>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (written: number) => void;
  contentLength?: boolean;
}

/** The `operations` and `map` parts of an uploadVideo request. */
export function uploadEnvelope(): Part[] {
  return [
    { name: 'operations', value: JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } }) },
    { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
  ];
}

/** `uploadVideo(file)` per the GraphQL multipart request spec, as curl -F sends it. */
export function uploadVideo(graphqlUrl: string, options: UploadOptions): Promise<MultipartResult> {
  return postMultipart(graphqlUrl, {
    headers: options.headers,
    signal: options.signal,
    onProgress: options.onProgress,
    contentLength: options.contentLength,
    parts: [
      ...uploadEnvelope(),
      {
        name: '0',
        fileName: options.fileName ?? 'clip.mp4',
        contentType: options.contentType ?? 'video/mp4',
        content: options.content,
      },
    ],
  });
}

/** `count` bytes of deterministic pseudo-random content in `chunkSize` pieces, never held whole. */
async function* generatedFile(count: number, chunkSize = 256 * 1024, seed = 1): AsyncGenerator<Buffer> {
  let state = seed;
  let left = count;
  while (left > 0) {
    const size = Math.min(chunkSize, left);
    const chunk = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i += 4) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      chunk.writeUInt32LE(state, Math.min(i, size - 4));
    }
    left -= size;
    yield chunk;
  }
}

/** The start of an MP4 file: an `ftyp` box (major brand isom), as a real encoder writes it. */
export const MP4_HEADER = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypisom'),
  Buffer.from([0, 0, 2, 0]),
  Buffer.from('isommp42'),
]);

/** A file of `count` bytes that starts like an MP4 and continues with generated bytes. */
export async function* videoFile(count: number, chunkSize = 256 * 1024, seed = 1): AsyncGenerator<Buffer> {
  yield MP4_HEADER;
  yield* generatedFile(count - MP4_HEADER.length, chunkSize, seed);
}

export async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

export interface FileOperationOptions<TVariables> {
  document: TypedDocumentNode<unknown, TVariables>;
  /** The operation's variables; the file's variable is set to null and mapped to the file. */
  variables: Omit<TVariables, 'file'>;
  fileName: string;
  contentType: string;
  content: Buffer | AsyncIterable<Buffer>;
  headers?: Record<string, string>;
  contentLength?: boolean;
  /** Aborts the request (destroys the socket) mid-body. */
  signal?: AbortSignal;
}

/** Any operation whose `$file` variable is a file, per the GraphQL multipart request spec (as Apollo's upload link sends it). */
export function postOperationWithFile<TVariables>(
  graphqlUrl: string,
  options: FileOperationOptions<TVariables>,
): Promise<MultipartResult> {
  return postMultipart(graphqlUrl, {
    headers: options.headers,
    contentLength: options.contentLength,
    signal: options.signal,
    parts: [
      {
        name: 'operations',
        value: JSON.stringify({ query: print(options.document), variables: { ...options.variables, file: null } }),
      },
      { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
      { name: '0', fileName: options.fileName, contentType: options.contentType, content: options.content },
    ],
  });
}

/** Small pictures that start as real encoders write them, by format (the rest is filler). */
export const PICTURES = {
  png: (size = 2048, seed = 1) =>
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), filler(size - 8, seed)]),
  jpeg: (size = 2048, seed = 2) =>
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), filler(size - 6, seed)]),
  gif: (size = 2048, seed = 3) => Buffer.concat([Buffer.from('GIF89a'), filler(size - 6, seed)]),
  bmp: (size = 2048, seed = 4) => {
    const header = Buffer.alloc(14);
    header.write('BM', 0, 'latin1');
    header.writeUInt32LE(size, 2);
    header.writeUInt32LE(54, 10);
    return Buffer.concat([header, filler(size - 14, seed)]);
  },
  webp: (size = 2048, seed = 5) => {
    const header = Buffer.alloc(12);
    header.write('RIFF', 0, 'latin1');
    header.writeUInt32LE(size - 8, 4);
    header.write('WEBP', 8, 'latin1');
    return Buffer.concat([header, filler(size - 12, seed)]);
  },
};

function filler(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(Math.max(0, size));
  let state = seed;
  for (let i = 0; i < bytes.length; i += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}
