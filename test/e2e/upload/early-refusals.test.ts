/**
 * Refusals given before the body is read are readable by every client: undici's
 * fetch and Node's `http` (which write the body whatever comes back) and curl
 * (which asks first, with Expect: 100-continue), at 8 MiB and 200 MiB, for every
 * early refusal (400, 401, 413, 429, 503). Each answer carries CORS headers, and
 * nothing reaches MAVI.
 */
import { spawn } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch, FormData } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, MP4_HEADER, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { requireRedis, startPrivateRedis, uniquePrefix } from '../../utils/redis.js';
import { startStack, TEST_WEBHOOK_SECRET, type Stack } from '../../utils/stack.js';

const KEY = 'early-refusal-key-4f0e1d';
const ORIGIN = 'https://app.example.com';
const MIB = 1024 * 1024;
const SIZES = [8 * MIB, 200 * MIB];
const OPERATIONS = JSON.stringify({
  query: 'mutation ($file: Upload!) { uploadVideo(file: $file) { videoNo } }',
  variables: { file: null },
});

interface Answer {
  status: number;
  code: string | undefined;
  allowOrigin: string | null;
}

interface Refusal {
  name: string;
  status: number;
  code: string;
  url: () => string;
  headers: Record<string, string>;
  /** A JSON body instead of a multipart upload. */
  json?: boolean;
}

const codeOf = (text: string) =>
  (JSON.parse(text) as { errors?: { extensions: { code: string } }[] }).errors?.[0]?.extensions.code;

let files: Record<number, string>;
let dir: string;
let open: Stack; // keys, 1 MiB uploads, introspection off
let quota: Stack; // keys, one upload an hour, already taken
let redisBacked: Stack | undefined; // its Redis is taken away: the quota cannot be asked
let stopRedis: (() => void) | undefined;
const hasRedis = await requireRedis('early-refusals.test.ts');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'early-refusals-'));
  files = {};
  for (const size of SIZES) {
    files[size] = join(dir, `${size}.mp4`);
    await writeFile(files[size]!, '');
    await truncate(files[size]!, size); // sparse: zeros, no disk written
  }
  open = await startStack({ env: { GATEWAY_API_KEYS: KEY, MAX_UPLOAD_BYTES: String(MIB), INTROSPECTION: 'false' } });
  quota = await startStack({ env: { GATEWAY_API_KEYS: KEY, UPLOADS_PER_HOUR: '1' } });
  // The one upload of the hour: the next is RATE_LIMITED.
  const first = await uploadVideo(quota.graphqlUrl, {
    content: await collect(videoFile(4096)),
    headers: { authorization: `Bearer ${KEY}` },
  });
  expect(first.json.errors).toBeUndefined();
  if (hasRedis) {
    const redis = await startPrivateRedis();
    stopRedis = redis.stop;
    redisBacked = await startStack({
      env: {
        GATEWAY_API_KEYS: KEY,
        REDIS_URL: redis.url,
        REDIS_PREFIX: uniquePrefix(),
        WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      },
    });
    redis.stop();
  }
}, 60_000);

afterAll(async () => {
  await open?.stop();
  await quota?.stop();
  await redisBacked?.stop();
  stopRedis?.();
  await rm(dir, { recursive: true, force: true });
});

const refusals: Refusal[] = [
  { name: 'no CSRF-proof header', status: 400, code: 'PREFLIGHT_REQUIRED', url: () => open.graphqlUrl, headers: {} },
  {
    name: 'a wrong key (upload)',
    status: 401,
    code: 'UNAUTHENTICATED',
    url: () => open.graphqlUrl,
    headers: { authorization: 'Bearer not-a-valid-key-0000' },
  },
  {
    name: 'no key (JSON request)',
    status: 401,
    code: 'UNAUTHENTICATED',
    url: () => open.graphqlUrl,
    headers: { 'content-type': 'application/json' },
    json: true,
  },
  {
    name: 'over the upload limit',
    status: 413,
    code: 'UPLOAD_TOO_LARGE',
    url: () => open.graphqlUrl,
    headers: { authorization: `Bearer ${KEY}` },
  },
  {
    name: 'over the hourly upload quota',
    status: 429,
    code: 'RATE_LIMITED',
    url: () => quota.graphqlUrl,
    headers: { authorization: `Bearer ${KEY}`, 'x-graphql-yoga-csrf': '1' },
  },
];
const storeAway: Refusal = {
  name: "the quota's store away",
  status: 503,
  code: 'STORE_UNAVAILABLE',
  url: () => redisBacked!.graphqlUrl,
  headers: { authorization: `Bearer ${KEY}` },
};

/** The 413 refusal needs a declared length over the limit; the others a body of `size` either way. */
async function withFetch(refusal: Refusal, size: number): Promise<Answer> {
  const file = await openAsBlob(files[size]!);
  let body: FormData | Blob;
  if (refusal.json) body = file;
  else {
    body = new FormData();
    body.append('operations', OPERATIONS);
    body.append('map', '{"0":["variables.file"]}');
    body.append('0', file, 'clip.mp4');
  }
  const response = await fetch(refusal.url(), {
    method: 'POST',
    body: body as FormData, // node:fs's Blob and undici's differ only in their typings
    headers: { ...refusal.headers, origin: ORIGIN },
  });
  return {
    status: response.status,
    code: codeOf(await response.text()),
    allowOrigin: response.headers.get('access-control-allow-origin'),
  };
}

/** Node's http client, writing the body in 64 KiB pieces with backpressure, as a stream pipe does. */
function withNodeHttp(refusal: Refusal, size: number): Promise<Answer & { writeError?: string }> {
  return new Promise((resolve, reject) => {
    const boundary = 'refusal-boundary';
    const head = refusal.json
      ? Buffer.alloc(0)
      : Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${OPERATIONS}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
        );
    const tail = refusal.json ? Buffer.alloc(0) : Buffer.from(`\r\n--${boundary}--\r\n`);
    const request = httpRequest(refusal.url(), {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...refusal.headers,
        origin: ORIGIN,
        'content-length': head.length + size + tail.length,
      },
    });
    let writeError: string | undefined;
    let answered = false;
    request.on('error', (error) => {
      // After the answer, the gateway may cut a body past its discard limit: the answer was read.
      if (answered) writeError = error.message;
      else reject(error);
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (piece: string) => (text += piece));
      response.on('end', () => {
        answered = true;
        // Give a cut (if any) a moment to surface as the write's error.
        setTimeout(
          () =>
            resolve({
              status: response.statusCode!,
              code: codeOf(text),
              allowOrigin: (response.headers['access-control-allow-origin'] as string | undefined) ?? null,
              writeError,
            }),
          50,
        );
      });
    });
    const piece = Buffer.alloc(64 * 1024);
    let left = size;
    const pump = () => {
      while (left > 0) {
        const chunk = piece.subarray(0, Math.min(piece.length, left));
        left -= chunk.length;
        if (!request.write(chunk)) return void request.once('drain', pump);
      }
      request.end(tail);
    };
    request.write(head);
    pump();
  });
}

/** curl as a user runs it: `-F 0=@file` (curl sends Expect: 100-continue for such bodies). */
function withCurl(refusal: Refusal, size: number): Promise<Answer & { seconds: number }> {
  const args = ['-s', '-o', '-', '-D', '-', '-w', '\n%{time_total}', '-H', `origin: ${ORIGIN}`];
  for (const [name, value] of Object.entries(refusal.headers)) args.push('-H', `${name}: ${value}`);
  if (refusal.json) args.push('--data-binary', `@${files[size]!}`);
  else args.push('-F', `operations=${OPERATIONS}`, '-F', 'map={"0":["variables.file"]}', '-F', `0=@${files[size]!}`);
  args.push(refusal.url());
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (piece: string) => (output += piece));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      try {
        if (exitCode !== 0) return reject(new Error(`curl exited with ${exitCode}: ${output}`));
        // Header blocks (a 100 Continue one, if any, first), the body, then the time on its own line.
        const timeAt = output.lastIndexOf('\n');
        const seconds = Number(output.slice(timeAt + 1));
        const blocks = output.slice(0, timeAt).split('\r\n\r\n');
        const [headers, body] = [blocks.at(-2)!, blocks.at(-1)!];
        resolve({
          status: Number(/^HTTP\/1\.1 (\d{3})/m.exec(headers)![1]),
          code: codeOf(body),
          allowOrigin: /^access-control-allow-origin: (.*)$/im.exec(headers)?.[1]?.trim() ?? null,
          seconds,
        });
      } catch (error) {
        reject(error);
      }
    });
  });
}

describe('a client that asks first (Expect: 100-continue)', () => {
  it('is told to go on once the upload is admitted, and its upload goes through', async () => {
    const args = ['-s', '-o', '-', '-w', '\n%{http_code}', '-H', `authorization: Bearer ${KEY}`];
    args.push('-F', `operations=${OPERATIONS}`, '-F', 'map={"0":["variables.file"]}');
    const file = join(dir, 'clip.mp4');
    await writeFile(file, Buffer.concat([MP4_HEADER, Buffer.alloc(8 * MIB)]));
    // curl sends Expect: 100-continue for a body this large; a gateway whose limits admit it.
    const admitting = await startStack({ env: { GATEWAY_API_KEYS: KEY } });
    try {
      args.push('-F', `0=@${file}`, admitting.graphqlUrl);
      let trace = '';
      const output = await new Promise<string>((resolve, reject) => {
        const child = spawn('curl', ['-v', ...args]);
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (piece: string) => (text += piece));
        child.stderr.setEncoding('utf8').on('data', (piece: string) => (trace += piece));
        child.on('error', reject);
        child.on('close', () => resolve(text));
      });
      // It asked, and was answered (not left to give up waiting and send anyway).
      expect(trace).toContain('> Expect: 100-continue');
      expect(trace).toContain('< HTTP/1.1 100 Continue');
      const [body, status] = [output.slice(0, output.lastIndexOf('\n')), output.slice(output.lastIndexOf('\n') + 1)];
      expect(status).toBe('200');
      const videoNo = (JSON.parse(body) as { data: { uploadVideo: { videoNo: string } } }).data.uploadVideo.videoNo;
      expect(admitting.simulator.videos.has(videoNo)).toBe(true);
    } finally {
      await admitting.stop();
    }
  });
});

describe('early refusals reach the client', () => {
  for (const refusal of [...refusals, storeAway]) {
    const skip = refusal === storeAway && !hasRedis;
    describe.skipIf(skip)(`${refusal.status} ${refusal.code}: ${refusal.name}`, () => {
      for (const size of SIZES) {
        it(`${size / MIB} MiB: undici fetch, Node http and curl read the answer`, async () => {
          const videosAtMavi = () =>
            [open, quota, redisBacked].reduce((sum, stack) => sum + (stack?.simulator.videos.size ?? 0), 0);
          const videosBefore = videosAtMavi();
          const expected = { status: refusal.status, code: refusal.code, allowOrigin: ORIGIN };

          expect(await withFetch(refusal, size)).toEqual(expected);

          const node = await withNodeHttp(refusal, size);
          expect({ status: node.status, code: node.code, allowOrigin: node.allowOrigin }).toEqual(expected);
          // A body within the discard limit is read whole: the client never sees an error.
          if (size === 8 * MIB) expect(node.writeError).toBeUndefined();

          const curl = await withCurl(refusal, size);
          expect({ status: curl.status, code: curl.code, allowOrigin: curl.allowOrigin }).toEqual(expected);

          expect(videosAtMavi()).toBe(videosBefore);
        }, 60_000);
      }
    });
  }
});
