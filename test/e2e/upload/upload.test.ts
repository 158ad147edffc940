/**
 * uploadVideo: the file streams to MAVI intact, MAVI's failures become precise
 * error codes, and a client or upstream that breaks off stops the other side.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, postMultipart, uploadEnvelope, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { testFamily, videoNoPattern } from '../../utils/family.js';
import { startStack, TEST_MAVI_KEY, type Stack } from '../../utils/stack.js';
import { waitUntil } from '../../utils/wait.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ simulator: { manualCallbacks: true } });
});
afterAll(() => stack.stop());
beforeEach(() => {
  stack.simulator.fault = undefined;
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function streamingSha256(chunks: AsyncIterable<Buffer>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

describe('bytes arrive intact', () => {
  it('a small file, with its name and content type', async () => {
    const content = await collect(videoFile(10_000));
    const result = await uploadVideo(stack.graphqlUrl, {
      content,
      fileName: 'small clip.mp4',
      contentType: 'video/mp4',
    });

    expect(result.status).toBe(200);
    expect(result.json.errors).toBeUndefined();
    const video = result.json.data.uploadVideo;
    expect(video).toMatchObject({ videoName: 'small clip.mp4', status: 'UNPARSE' });
    expect(video.videoNo).toMatch(videoNoPattern());

    const received = stack.simulator.videos.get(video.videoNo)!;
    expect(received).toMatchObject({ bytes: content.length, sha256: sha256(content), contentType: 'video/mp4' });
    expect(new Date(video.uploadTime).getTime()).toBe(Number(received.uploadTime));
  });

  it('a 50 MB file, streamed', async () => {
    const size = 50 * 1024 * 1024;
    // An MP4 file declared as WebM: the original family gets the declared type, as before; the
    // successor, which checks the part's type, gets the sniffed one (and takes no .webm names).
    const fileName = testFamily() === 'v1' ? 'big.mov' : 'big.webm';
    const result = await uploadVideo(stack.graphqlUrl, {
      content: videoFile(size),
      fileName,
      contentType: 'video/webm',
    });
    expect(result.json.errors).toBeUndefined();
    const received = stack.simulator.videos.get(result.json.data.uploadVideo.videoNo)!;
    expect(received.bytes).toBe(size);
    expect(received.sha256).toBe(await streamingSha256(videoFile(size)));
    expect(received).toMatchObject({
      videoName: fileName,
      contentType: testFamily() === 'v1' ? 'video/mp4' : 'video/webm',
    });
  });

  it('sends the callback URL with a per-upload token, and the MAVI key only in Authorization', async () => {
    const first = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(1000)) });
    const second = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(1000)) });
    const uris = [first, second].map((r) => stack.simulator.videos.get(r.json.data.uploadVideo.videoNo)!.callbackUri!);
    for (const uri of uris)
      expect(uri).toMatch(new RegExp(`^${stack.url}/webhooks/mavi/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    expect(uris[0]).not.toBe(uris[1]);
    expect(JSON.stringify([first.json, second.json])).not.toContain(TEST_MAVI_KEY);
  });
});

describe('bad files change nothing at MAVI', () => {
  it('refuses an empty file with EMPTY_FILE, and sends nothing to MAVI', async () => {
    const before = stack.simulator.stats.uploadRequests;
    const result = await uploadVideo(stack.graphqlUrl, { content: Buffer.alloc(0), fileName: 'empty.mp4' });
    expect(result.json.errors[0].extensions.code).toBe('EMPTY_FILE');
    expect(result.json.errors[0].message).toContain('empty.mp4');
    expect(stack.simulator.stats.uploadRequests).toBe(before);
  });
});

describe("MAVI's failures map to error codes", () => {
  const cases = [
    { fault: { kind: 'busy' }, code: 'MAVI_BUSY', retryable: true },
    { fault: { kind: 'http-429' }, code: 'MAVI_BUSY', retryable: true },
    { fault: { kind: 'unauthorized' }, code: 'MAVI_AUTH', retryable: false },
    { fault: { kind: 'account-disabled' }, code: 'MAVI_AUTH', retryable: false },
    {
      fault: { kind: 'rejected', code: '0502', msg: 'video codec not supported' },
      code: 'MAVI_REJECTED',
      retryable: false,
    },
    { fault: { kind: 'server-error', status: 502 }, code: 'MAVI_UNAVAILABLE', retryable: true },
    { fault: { kind: 'server-error', status: 500 }, code: 'MAVI_UNAVAILABLE', retryable: true },
    { fault: { kind: 'reset', afterBytes: 64 * 1024 }, code: 'MAVI_UNAVAILABLE', retryable: true },
  ] as const;

  for (const { fault, code, retryable } of cases) {
    it(`${fault.kind}${'status' in fault ? ` ${fault.status}` : ''} → ${code}`, async () => {
      stack.simulator.fault = fault;
      const videosBefore = stack.simulator.videos.size;
      const result = await uploadVideo(stack.graphqlUrl, { content: videoFile(512 * 1024) });
      expect(result.json.data).toEqual({ uploadVideo: null });
      const [error] = result.json.errors;
      expect(error.extensions).toMatchObject({ code, retryable });
      if (code === 'MAVI_REJECTED') {
        expect(error.message).toContain('video codec not supported');
        expect(error.extensions.maviCode).toBe('0502');
      }
      expect(stack.simulator.videos.size).toBe(videosBefore);
      expect(result.text).not.toContain(TEST_MAVI_KEY);
    });
  }

  it('a MAVI that is not listening → MAVI_UNAVAILABLE', async () => {
    const down = await startStack({ env: { MAVI_BASE_URL: 'http://127.0.0.1:9' } });
    try {
      const result = await uploadVideo(down.graphqlUrl, { content: await collect(videoFile(1000)) });
      expect(result.json.errors[0].extensions.code).toBe('MAVI_UNAVAILABLE');
    } finally {
      await down.stop();
    }
  });
});

describe('aborts propagate both ways', () => {
  it('a client that disconnects mid-upload aborts the upstream request', async () => {
    const abortedBefore = stack.simulator.stats.abortedUploads;
    const videosBefore = stack.simulator.videos.size;
    const controller = new AbortController();
    const upload = uploadVideo(stack.graphqlUrl, {
      content: videoFile(64 * 1024 * 1024),
      signal: controller.signal,
      onProgress: (written) => {
        if (written > 4 * 1024 * 1024) controller.abort();
      },
    });
    await expect(upload).rejects.toThrow();
    await waitUntil(() => stack.simulator.stats.abortedUploads > abortedBefore);
    expect(stack.simulator.videos.size).toBe(videosBefore);
  });

  it('an upstream failure stops reading from the client and answers before the file is sent', async () => {
    stack.simulator.fault = { kind: 'reset', afterBytes: 1024 * 1024 };
    const total = 256 * 1024 * 1024;
    const result = await uploadVideo(stack.graphqlUrl, { content: videoFile(total) });
    expect(result.json.errors[0].extensions.code).toBe('MAVI_UNAVAILABLE');
    expect(result.headers.connection).toBe('close');
    expect(result.writtenAtResponse).toBeLessThan(total / 2);
  });

  it('a slow MAVI slows the client instead of filling the gateway', async () => {
    stack.simulator.fault = { kind: 'slow-read', bytesPerSecond: 16 * 1024 * 1024 };
    const size = 64 * 1024 * 1024;
    const readBefore = stack.simulator.stats.bytesReceived;
    let widestGap = 0;
    const result = await uploadVideo(stack.graphqlUrl, {
      content: videoFile(size, 64 * 1024),
      onProgress: (written) => {
        widestGap = Math.max(widestGap, written - (stack.simulator.stats.bytesReceived - readBefore));
      },
    });
    expect(result.json.errors).toBeUndefined();
    // Without backpressure the client would run ~60 MiB ahead of MAVI's reading; with it, the
    // lead is what the socket buffers on both hops hold (about 10 MiB on loopback here).
    console.info(`widest lead of the client over MAVI: ${(widestGap / 2 ** 20).toFixed(1)} MiB`);
    expect(widestGap).toBeLessThan(24 * 1024 * 1024);
  });
});

describe('MAVI_UPLOAD_CONTENT_LENGTH, for an upstream that refuses chunked bodies', () => {
  let strict: Stack;
  let declaring: Stack;
  beforeAll(async () => {
    strict = await startStack({ simulator: { manualCallbacks: true, requireContentLength: true } });
    declaring = await startStack({
      simulator: { manualCallbacks: true, requireContentLength: true },
      env: { MAVI_UPLOAD_CONTENT_LENGTH: 'on' },
    });
  });
  afterAll(async () => {
    await strict.stop();
    await declaring.stop();
  });

  it('by default the body is chunked, and such an upstream refuses it', async () => {
    const result = await uploadVideo(strict.graphqlUrl, {
      content: await collect(videoFile(100_000)),
      contentLength: true,
    });
    expect(result.json.errors[0].extensions.code).toBe('MAVI_REJECTED');
    expect(result.json.errors[0].message).toContain('Content-Length required');
  });

  it("with it on, the file size comes from the client's Content-Length and the bytes arrive intact", async () => {
    const content = await collect(videoFile(3 * 1024 * 1024 + 7));
    const result = await uploadVideo(declaring.graphqlUrl, { content, contentLength: true, fileName: 'exact.mp4' });
    expect(result.json.errors).toBeUndefined();
    const received = declaring.simulator.videos.get(result.json.data.uploadVideo.videoNo)!;
    expect(received).toMatchObject({ bytes: content.length, sha256: sha256(content), videoName: 'exact.mp4' });
  });

  it('with it on, an upload without Content-Length gets LENGTH_REQUIRED and nothing reaches MAVI', async () => {
    const before = declaring.simulator.stats.uploadRequests;
    const result = await uploadVideo(declaring.graphqlUrl, { content: videoFile(100_000) });
    expect(result.status).toBe(411);
    expect(result.json.errors[0].extensions.code).toBe('LENGTH_REQUIRED');
    expect(declaring.simulator.stats.uploadRequests).toBe(before);
  });

  it('with it on, a body whose file is longer than announced is cut before MAVI gets the extra bytes', async () => {
    const videosBefore = declaring.simulator.videos.size;
    const result = await postMultipart(declaring.graphqlUrl, {
      contentLength: true,
      omitFinalCrlf: true, // the gateway assumes the final CRLF, so it announces two bytes too few
      parts: [
        ...uploadEnvelope(),
        { name: '0', fileName: 'clip.mp4', contentType: 'video/mp4', content: await collect(videoFile(200_000)) },
      ],
    });
    expect(result.json.errors[0].extensions.code).toBe('INVALID_MULTIPART');
    expect(result.json.errors[0].message).toContain('Content-Length');
    expect(declaring.simulator.videos.size).toBe(videosBefore);
  });
});
