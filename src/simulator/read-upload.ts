/** Reading request bodies as MAVI does, for every simulated family. */
import { randomInt } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { SimulatorCore } from './simulated-api.js';

export interface ReceivedFile {
  fileName: string;
  contentType: string;
  sha256: string;
  bytes: number;
}

export interface ReceivedUpload {
  /** The `file` part, if there was one. */
  file: ReceivedFile | undefined;
  /** Every file part, with its field name (`upload_img` sends repeated `files`). */
  files: (ReceivedFile & { field: string })[];
  /** Plain form fields, by name (the last value of a repeated one). */
  fields: Record<string, string>;
  /** Every value of the `tags` fields, in order (a repeated field). */
  tags: string[];
  /** Field names in the order they came, the file as "file". */
  order: string[];
}

/** Ids as MAVI mints them: 18 digits after a family's prefix. */
export function eighteenDigits(): string {
  return `${String(randomInt(10 ** 11, 10 ** 12 - 1))}${String(randomInt(10 ** 5, 10 ** 6 - 1))}`;
}

/** Streams the body through busboy, digesting every file part; resolves once the whole body was read. */
export function readUpload(simulator: SimulatorCore, req: IncomingMessage): Promise<ReceivedUpload> {
  return new Promise((resolve, reject) => {
    let file: ReceivedFile | undefined;
    const files: ReceivedUpload['files'] = [];
    const fields: Record<string, string> = {};
    const order: string[] = [];
    const tags: string[] = [];
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8' }); // RFC 7578: UTF-8 file names
    } catch (error) {
      req.resume();
      reject(error);
      return;
    }
    parser.on('field', (name, value) => {
      fields[name] = value;
      if (name === 'tags') tags.push(value);
      order.push(name);
    });
    parser.on('file', (name, stream, info) => {
      stream.on('error', () => undefined); // the parser reports it too
      order.push(name);
      const digest = simulator.createDigest();
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        digest?.update(chunk);
        bytes += chunk.length;
      });
      stream.on('end', () => {
        const received = {
          fileName: info.filename ?? '',
          contentType: info.mimeType,
          sha256: digest?.digest('hex') ?? '',
          bytes,
        };
        files.push({ ...received, field: name });
        if (name === 'file') file = received;
      });
    });
    parser.on('close', () => resolve({ file, files, fields, tags, order }));
    parser.on('error', reject);
    req.on('error', reject);
    req.on('close', () => {
      if (!req.readableEnded) reject(new Error('closed before the end of the body'));
    });
    req.on('data', (chunk: Buffer) => {
      simulator.onUploadChunk(req, chunk);
      if (req.destroyed) return;
      if (!parser.write(chunk)) {
        req.pause();
        parser.once('drain', () => req.resume());
      }
    });
    req.on('end', () => parser.end());
  });
}

/** The most of a plain (non-upload) request body the simulator reads. */
const MAX_BODY_BYTES = 1024 * 1024;

/** A request's body as text, or undefined when it is longer than MAX_BODY_BYTES. */
export async function readText(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString();
}

/** A request's JSON body, or undefined when it is not JSON (or too long). */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A delete request's body: a JSON array of at most `max` ids, or undefined when it is not one. */
export async function readIdList(req: IncomingMessage, max: number): Promise<string[] | undefined> {
  const ids = await readJson(req);
  return Array.isArray(ids) && ids.length <= max ? ids.map(String) : undefined;
}
