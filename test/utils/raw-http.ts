/**
 * A client that writes an HTTP/1.1 request byte for byte over a TCP socket, so
 * tests can send what no well-behaved client library would: malformed part
 * headers, tiny chunks, a body that stops halfway.
 */
import { connect, type Socket } from 'node:net';

interface RawResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  json: any;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers: Record<string, string>;
  /** Body pieces, written one by one (each as its own HTTP chunk with `chunked`). */
  body: Iterable<Buffer | string> | AsyncIterable<Buffer | string>;
  /** Transfer-Encoding: chunked (no Content-Length unless a header gives one). */
  chunked?: boolean;
  /** Wait for each piece to be handed to the kernel before the next, so pieces arrive as separate reads. */
  pieceByPiece?: boolean;
  /** Leave the request unfinished: write the body, then keep the socket open and silent. */
  hang?: boolean;
}

export interface RawExchange {
  socket: Socket;
  /** The response, once the server closed the connection (requests ask it to, with Connection: close). */
  response: Promise<RawResponse | undefined>;
  /** Resolves when the server (or anyone) closed the connection. */
  closed: Promise<void>;
}

export function sendRaw(baseUrl: string, request: RawRequest): RawExchange {
  const url = new URL(baseUrl);
  const socket = connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  socket.on('error', () => undefined); // a server that cuts us off is what some tests expect
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const response = closed.then(() => parseResponse(Buffer.concat(received)));

  const write = (data: Buffer | string) =>
    new Promise<void>((resolve) => {
      if (socket.destroyed) return resolve();
      socket.write(data, () => resolve());
    });

  void (async () => {
    const headers = { host: url.host, connection: 'close', ...request.headers } as Record<string, string>;
    if (request.chunked) headers['transfer-encoding'] = 'chunked';
    const head =
      `${request.method ?? 'POST'} ${request.path ?? url.pathname} HTTP/1.1\r\n` +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      '\r\n';
    await write(head);
    for await (const piece of request.body) {
      if (socket.destroyed) return;
      const bytes = Buffer.from(piece);
      const framed = request.chunked
        ? Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')])
        : bytes;
      if (request.pieceByPiece) await write(framed);
      else socket.write(framed);
    }
    if (request.hang) return;
    if (request.chunked) await write('0\r\n\r\n');
  })();
  return { socket, response, closed };
}

function parseResponse(bytes: Buffer): RawResponse | undefined {
  const text = bytes.toString('utf8');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const [statusLine, ...headerLines] = text.slice(0, headEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(headEnd + 4);
  if (headers['transfer-encoding'] === 'chunked') body = unchunk(body);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body, json };
}

function unchunk(body: string): string {
  let result = '';
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd === -1) return result;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return result;
    result += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** A multipart body with the given raw parts (each a full part: headers, blank line, content). */
export function multipartBody(boundary: string, parts: string[], closing = `--${boundary}--\r\n`): string {
  return parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') + closing;
}
