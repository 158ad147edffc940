/**
 * The benchmark's uploading client: a multipart body written straight to a
 * socket, as curl does (with Content-Length), from a 16 MiB pattern repeated to
 * the file size, so the client spends as little CPU as possible on making bytes.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

/** 16 MiB of random bytes that start with an MP4 `ftyp` box, so the gateway's container sniffing accepts them: every benchmark file repeats it. */
export const PATTERN = (() => {
  const pattern = randomBytes(16 * 1024 * 1024);
  // An MP4 `ftyp` box first, so the gateway's container sniffing accepts it.
  Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from('ftypisom'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isommp42'),
  ]).copy(pattern);
  return pattern;
})();
const WRITE_SIZE = 256 * 1024;

interface MultipartUpload {
  /** Text fields before the file, in order (GraphQL: operations, map). */
  fields: [name: string, value: string][];
  fileField: string;
  fileName: string;
  size: number;
  headers?: Record<string, string>;
}

export interface UploadTiming {
  status: number;
  body: string;
  seconds: number;
}

function sendMultipart(url: string, upload: MultipartUpload): Promise<UploadTiming> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    upload.fields
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="${upload.fileField}"; filename="${upload.fileName}"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = process.hrtime.bigint();

  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + upload.size + tail.length),
        ...upload.headers,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
        }),
      );
    });

    let sent = 0;
    const pump = () => {
      while (sent < upload.size) {
        const offset = sent % PATTERN.length;
        const length = Math.min(WRITE_SIZE, upload.size - sent, PATTERN.length - offset);
        sent += length;
        if (!req.write(PATTERN.subarray(offset, offset + length))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(tail);
    };
    req.write(head);
    pump();
  });
}

/** uploadVideo through a GraphQL server (multipart request); Yoga's built-in path calls the scalar `File`. */
export function uploadThroughGateway(
  graphqlUrl: string,
  size: number,
  headers: Record<string, string> = {},
  scalar: 'Upload' | 'File' = 'Upload',
) {
  const query = `mutation ($file: ${scalar}!) { uploadVideo(file: $file) { videoNo } }`;
  return sendMultipart(graphqlUrl, {
    fields: [
      ['operations', JSON.stringify({ query, variables: { file: null } })],
      ['map', JSON.stringify({ 0: ['variables.file'] })],
    ],
    fileField: '0',
    fileName: 'bench.mp4',
    size,
    headers: { 'apollo-require-preflight': 'true', ...headers },
  });
}

/** The same file straight to MAVI's upload endpoint (here: the simulator). */
export function uploadDirect(simulatorUrl: string, apiKey: string, size: number) {
  return sendMultipart(`${simulatorUrl}/api/serve/video/upload`, {
    fields: [],
    fileField: 'file',
    fileName: 'bench.mp4',
    size,
    headers: { authorization: apiKey },
  });
}
