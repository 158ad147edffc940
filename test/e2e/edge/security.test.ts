/**
 * Bad input is cheap and harmless: every row gets a clear error and changes
 * nothing. "Nothing" means the simulator registered no video (and, where the
 * request is refused up front, received no request at all), the gateway's store
 * is as it was, and no status event was sent. Every response and log line is
 * kept and searched for secrets at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDocument, VideoStatusDocument } from '../../generated/operations.js';
import { RecordingEventTarget } from '../../utils/event-recorder.js';
import { postGraphQL, subscribeSse, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import {
  collect,
  MP4_HEADER,
  postMultipart,
  uploadEnvelope,
  uploadVideo,
  videoFile,
  type MultipartResult,
} from '../../utils/multipart-client.js';
import { testFamily, videoNoPattern } from '../../utils/family.js';
import { waitUntil } from '../../utils/wait.js';
import { startStack, TEST_MAVI_KEY, TEST_WEBHOOK_SECRET, type Stack } from '../../utils/stack.js';
import { ALICE as KEY_A, BOB as KEY_B, asAlice as asA, asBob as asB } from '../../utils/two-clients.js';

const MAX_UPLOAD_BYTES = 1024 * 1024;

let stack: Stack;
const events = new RecordingEventTarget();
/** Everything clients were sent, searched for secrets in the last test. */
const seen: string[] = [];
const keep = <T extends MultipartResult>(result: T): T => {
  seen.push(result.text, JSON.stringify(result.headers));
  return result;
};

beforeAll(async () => {
  stack = await startStack({
    simulator: { manualCallbacks: true },
    env: {
      GATEWAY_API_KEYS: `${KEY_A},${KEY_B}`,
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      MAX_CONCURRENT_UPLOADS_PER_KEY: '2',
    },
    gateway: { events: events.asTransport() },
  });
});
afterAll(() => stack.stop());

async function sideEffects() {
  return {
    videosAtMavi: stack.simulator.videos.size,
    eventsSent: events.dispatched.length,
    pendingInStore: JSON.stringify(await stack.gateway.parts.store.pending(10_000)),
  };
}

/** Runs `act`, and checks that it changed nothing; `reachesMavi` false also demands that MAVI got no request. */
async function expectNoSideEffect<T>(act: () => Promise<T>, reachesMavi = false): Promise<T> {
  const before = await sideEffects();
  const requestsBefore = stack.simulator.stats.uploadRequests;
  const result = await act();
  await new Promise((resolve) => setTimeout(resolve, 50)); // anything the request set off has landed
  expect(await sideEffects()).toEqual(before);
  if (!reachesMavi) expect(stack.simulator.stats.uploadRequests).toBe(requestsBefore);
  return result;
}

const file = (content: Buffer, fileName = 'clip.mp4', contentType = 'video/mp4') => ({
  name: '0',
  fileName,
  contentType,
  content,
});

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
const TEXT = Buffer.from('hello, this is not a video at all\n'.repeat(50));

describe('client keys', () => {
  it('an anonymous upload gets 401 UNAUTHENTICATED', async () => {
    const result = await expectNoSideEffect(async () =>
      keep(await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) })),
    );
    expect(result.status).toBe(401);
    expect(result.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(result.headers['www-authenticate']).toBe('Bearer');
  });

  it('an upload with a wrong key gets 401 UNAUTHENTICATED', async () => {
    const result = await expectNoSideEffect(async () =>
      keep(
        await uploadVideo(stack.graphqlUrl, {
          content: await collect(videoFile(4096)),
          headers: { authorization: 'Bearer client-key-wrongwrongwrongwrong' },
        }),
      ),
    );
    expect(result.status).toBe(401);
    expect(result.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong key', { authorization: 'Bearer client-key-wrongwrongwrongwrong' }],
    ['the key without "Bearer"', { authorization: KEY_A }],
  ])('a query with %s gets 401 UNAUTHENTICATED', async (_name, headers) => {
    const { status, body } = await expectNoSideEffect(() =>
      postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo: 'mavi_video_1' }, headers),
    );
    seen.push(JSON.stringify(body));
    expect(status).toBe(401);
    expect(body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('an SSE subscription without a key gets 401', async () => {
    const { collected, status } = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo: 'mavi_video_1' });
    expect(await status).toBe(401);
    await collected.ended();
    expect(collected.events[0]!.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['no key', undefined, undefined],
    ['a wrong key in connectionParams', { authorization: 'Bearer client-key-wrongwrongwrongwrong' }, undefined],
    ['a wrong key in the upgrade header', undefined, { authorization: 'Bearer client-key-wrongwrongwrongwrong' }],
  ])('a websocket with %s is closed with 4403 Forbidden', async (_name, params, headers) => {
    const client = wsClient(stack.wsUrl, params, headers);
    let closeCode: number | undefined;
    client.on('closed', (event) => {
      closeCode = (event as { code: number }).code;
    });
    const { collected } = subscribeWs(client, VideoStatusDocument, { videoNo: 'mavi_video_1' });
    await collected.ended();
    expect(closeCode).toBe(4403);
    expect(collected.events).toEqual([]);
    await client.dispose();
  });

  it('a websocket with the key in the upgrade header, or in connectionParams, works', async () => {
    const upload = keep(await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)), headers: asA }));
    const { videoNo } = upload.json.data.uploadVideo;
    for (const client of [
      wsClient(stack.wsUrl, undefined, asA),
      wsClient(stack.wsUrl, { authorization: `Bearer ${KEY_A}` }),
    ]) {
      const { collected, unsubscribe } = subscribeWs(client, VideoStatusDocument, { videoNo });
      await collected.waitForEvents(1);
      expect(collected.events[0]!.data!.videoStatus.status).toBe('UNPARSE');
      unsubscribe();
      await client.dispose();
    }
  });
});

describe('isolation between client keys', () => {
  it("another key's video looks exactly like an unknown one, to video and to videoStatus", async () => {
    const upload = keep(await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)), headers: asA }));
    const { videoNo } = upload.json.data.uploadVideo;
    const unknownNo = 'mavi_video_999999999999999999';

    const mine = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo }, asA);
    expect(mine.body.data?.video?.videoNo).toBe(videoNo);
    const theirs = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo }, asB);
    const unknown = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo: unknownNo }, asB);
    expect(theirs).toEqual(unknown);
    expect(theirs.body).toEqual({ data: { video: null } });

    const normalise = (events: unknown[], id: string) => JSON.stringify(events).replaceAll(id, '<videoNo>');
    const sseTheirs = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo }, asB);
    const sseUnknown = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo: unknownNo }, asB);
    await sseTheirs.collected.ended();
    await sseUnknown.collected.ended();
    expect(sseTheirs.collected.events[0]!.errors![0]!.extensions!.code).toBe('VIDEO_NOT_FOUND');
    expect(normalise(sseTheirs.collected.events, videoNo)).toBe(normalise(sseUnknown.collected.events, unknownNo));

    const client = wsClient(stack.wsUrl, { authorization: `Bearer ${KEY_B}` });
    const wsTheirs = subscribeWs(client, VideoStatusDocument, { videoNo });
    const wsUnknown = subscribeWs(client, VideoStatusDocument, { videoNo: unknownNo });
    await wsTheirs.collected.ended();
    await wsUnknown.collected.ended();
    expect(wsTheirs.collected.events[0]!.errors![0]!.extensions!.code).toBe('VIDEO_NOT_FOUND');
    expect(normalise(wsTheirs.collected.events, videoNo)).toBe(normalise(wsUnknown.collected.events, unknownNo));
    await client.dispose();
  });

  it('records carry a hash of the key, never the key', async () => {
    const upload = keep(await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)), headers: asB }));
    const record = await stack.gateway.parts.store.get(upload.json.data.uploadVideo.videoNo);
    expect(record!.ownerId).toMatch(/^key-[0-9a-f]{16}$/);
    expect(JSON.stringify(record)).not.toContain(KEY_B);
  });
});

describe('bad uploads', () => {
  it('a file over MAX_UPLOAD_BYTES, streamed without Content-Length: UPLOAD_TOO_LARGE, and MAVI registers nothing', async () => {
    const abortedBefore = stack.simulator.stats.abortedUploads;
    const result = await expectNoSideEffect(
      async () => keep(await uploadVideo(stack.graphqlUrl, { content: videoFile(3 * MAX_UPLOAD_BYTES), headers: asA })),
      true,
    );
    expect(result.json.errors[0].extensions.code).toBe('UPLOAD_TOO_LARGE');
    expect(result.json.errors[0].message).toContain(String(MAX_UPLOAD_BYTES));
    // MAVI sees the request end when its connection closes, which may come after the client's answer.
    await waitUntil(() => stack.simulator.stats.abortedUploads === abortedBefore + 1, 'MAVI saw the upload aborted');
  });

  it('a file declared over the limit by Content-Length: 413 before anything is read', async () => {
    const result = await expectNoSideEffect(async () =>
      keep(
        await uploadVideo(stack.graphqlUrl, {
          content: await collect(videoFile(3 * MAX_UPLOAD_BYTES)),
          headers: asA,
          contentLength: true,
        }),
      ),
    );
    expect(result.status).toBe(413);
    expect(result.json.errors[0].extensions.code).toBe('UPLOAD_TOO_LARGE');
  });

  it.each([
    ['a PNG', PNG, 'poster.png'],
    ['a text file', TEXT, 'notes.mp4'],
    ['a file too short to tell', Buffer.from('abc'), 'tiny.mp4'],
  ])('%s claiming video/mp4: UNSUPPORTED_MEDIA_TYPE, nothing sent to MAVI', async (_name, content, fileName) => {
    const result = await expectNoSideEffect(async () =>
      keep(await uploadVideo(stack.graphqlUrl, { content, fileName, contentType: 'video/mp4', headers: asA })),
    );
    expect(result.json.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(result.json.errors[0].message).toContain(fileName);
  });

  it('a WebM (EBML) file passes the sniffing where the family takes WebM, and is refused where not', async () => {
    const webm = Buffer.concat([
      Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84]),
      Buffer.from('webm'),
      Buffer.alloc(4000, 1),
    ]);
    const send = () =>
      uploadVideo(stack.graphqlUrl, { content: webm, fileName: 'c.webm', contentType: 'video/webm', headers: asA });
    // Where the family takes no WebM, the refusal changes nothing, and MAVI hears nothing.
    const result = keep(testFamily() === 'original' ? await send() : await expectNoSideEffect(send));
    if (testFamily() === 'original') {
      expect(result.json.data.uploadVideo.videoName).toBe('c.webm');
    } else {
      expect(result.json.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(result.json.errors[0].message).toContain('takes only .mp4, .avi, .mkv and .mov files');
    }
  });

  it('an empty file: EMPTY_FILE', async () => {
    const result = await expectNoSideEffect(async () =>
      keep(await uploadVideo(stack.graphqlUrl, { content: Buffer.alloc(0), headers: asA })),
    );
    expect(result.json.errors[0].extensions.code).toBe('EMPTY_FILE');
  });

  it('two files named in the map: 400 ONE_FILE_ONLY', async () => {
    const result = await expectNoSideEffect(async () =>
      keep(
        await postMultipart(stack.graphqlUrl, {
          headers: asA,
          parts: [
            uploadEnvelope()[0]!,
            { name: 'map', value: JSON.stringify({ 0: ['variables.file'], 1: ['variables.file'] }) },
            file(await collect(videoFile(4096))),
            { ...file(await collect(videoFile(4096))), name: '1' },
          ],
        }),
      ),
    );
    expect(result.status).toBe(400);
    expect(result.json.errors[0].extensions.code).toBe('ONE_FILE_ONLY');
  });

  it('a second file part the map does not name: ONE_FILE_ONLY, and MAVI registers nothing', async () => {
    const result = await expectNoSideEffect(
      async () =>
        keep(
          await postMultipart(stack.graphqlUrl, {
            headers: asA,
            parts: [
              ...uploadEnvelope(),
              file(await collect(videoFile(64 * 1024))),
              { ...file(await collect(videoFile(4096))), name: 'extra' },
            ],
          }),
        ),
      true,
    );
    expect(result.json.errors[0].extensions.code).toBe('ONE_FILE_ONLY');
  });

  it('multipart without a preflight header: 400 naming the header', async () => {
    const result = await expectNoSideEffect(async () =>
      keep(
        await postMultipart(stack.graphqlUrl, {
          headers: { 'apollo-require-preflight': undefined as unknown as string },
          parts: [...uploadEnvelope(), file(await collect(videoFile(4096)))],
        }),
      ),
    );
    expect(result.status).toBe(400);
    expect(result.json.errors[0].extensions.code).toBe('PREFLIGHT_REQUIRED');
    expect(result.json.errors[0].message).toContain('Apollo-Require-Preflight');
  });

  it.each([
    ['X-Apollo-Operation-Name', { 'x-apollo-operation-name': 'UploadVideo', ...asA }],
    ['x-graphql-yoga-csrf', { 'x-graphql-yoga-csrf': '1', ...asA }],
    ['Authorization alone', asA],
  ])('the %s header also satisfies the CSRF check', async (_name, headers) => {
    const result = keep(
      await postMultipart(stack.graphqlUrl, {
        headers: { 'apollo-require-preflight': undefined as unknown as string, ...headers },
        parts: [...uploadEnvelope(), file(await collect(videoFile(4096)))],
      }),
    );
    expect(result.json.data.uploadVideo.videoNo).toMatch(videoNoPattern());
  });

  it.each([
    ['a malformed map', [uploadEnvelope()[0]!, { name: 'map', value: '{"0": [' }], /Invalid JSON in the 'map'/],
    [
      'operations that are not JSON',
      [{ name: 'operations', value: 'mutation {' }, uploadEnvelope()[1]!],
      /Invalid JSON in the 'operations'/,
    ],
    ['a map before operations', [uploadEnvelope()[1]!, uploadEnvelope()[0]!], /'map' should follow 'operations'/],
    ['no map at all', [uploadEnvelope()[0]!], /files should follow 'map'/],
  ] as const)('%s: 400 that names the problem', async (_name, envelope, message) => {
    const result = await expectNoSideEffect(async () =>
      keep(await postMultipart(stack.graphqlUrl, { headers: asA, parts: [...envelope, file(MP4_HEADER)] })),
    );
    expect(result.status).toBe(400);
    expect(result.json.errors[0].extensions.code).toBe('INVALID_MULTIPART');
    expect(result.json.errors[0].message).toMatch(message);
  });

  it('more concurrent uploads than allowed per key: 429 with Retry-After', async () => {
    const slow = async function* () {
      yield* videoFile(256 * 1024, 16 * 1024);
      await new Promise((resolve) => setTimeout(resolve, 600));
    };
    const running = [1, 2].map(() => uploadVideo(stack.graphqlUrl, { content: slow(), headers: asA }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const third = await expectNoSideEffect(async () =>
      keep(await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)), headers: asA })),
    );
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('5');
    expect(third.json.errors[0].extensions.code).toBe('TOO_MANY_UPLOADS');
    // Another key is not held back by A's uploads.
    const other = keep(await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)), headers: asB }));
    expect(other.status).toBe(200);
    for (const result of await Promise.all(running)) expect(keep(result).status).toBe(200);
  });
});

describe('operation limits', () => {
  const send = async (body: string) => {
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...asA },
      body,
    });
    const text = await response.text();
    seen.push(text);
    return { status: response.status, text };
  };
  const query = (source: string) => JSON.stringify({ query: source });

  it('a deep query is refused', async () => {
    const deep = `{ __schema { types { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } } }`;
    const { text } = await expectNoSideEffect(() => send(query(deep)));
    expect(JSON.parse(text).errors[0].message).toMatch(/depth/i);
  });

  it('an alias bomb is refused', async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: video(videoNo: "v${i}") { videoNo }`).join(' ');
    const { text } = await expectNoSideEffect(() => send(query(`{ ${aliases} }`)));
    expect(JSON.parse(text).errors[0].message).toMatch(/aliases/i);
  });

  it('a token bomb is refused', async () => {
    const { text } = await expectNoSideEffect(() => send(query(`{ ${'__typename '.repeat(5000)} }`)));
    expect(JSON.parse(text).errors[0].message).toMatch(/token/i);
  });

  it('a huge JSON body gets 413', async () => {
    const huge = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(2_000_000) } });
    const { status } = await expectNoSideEffect(() => send(huge));
    expect(status).toBe(413);
  });

  it('the GraphiQL introspection query still passes', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const { status, text } = await send(query(getIntrospectionQuery()));
    expect(status).toBe(200);
    expect(JSON.parse(text).data.__schema.queryType.name).toBe('Query');
  });
});

describe('secrets', () => {
  it('no response and no log line contains the MAVI key, the webhook secret or a client key', () => {
    const everything = [...seen, ...stack.logs].join('\n');
    expect(seen.length).toBeGreaterThan(20);
    expect(stack.logs.length).toBeGreaterThan(10);
    for (const secret of [TEST_MAVI_KEY, TEST_WEBHOOK_SECRET, KEY_A, KEY_B]) expect(everything).not.toContain(secret);
  });
});
