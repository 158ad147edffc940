/**
 * What differs between the two MAVI API families, checked against the simulator
 * speaking each: partitions per client, every documented code, the files each
 * family takes, status spellings, and the upload pace shared by all instances.
 * (The end-to-end scenarios run against both families through vitest's projects.)
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMaviApi } from '../../../src/mavi/connect.js';
import { VideoDocument, VideoStatusDocument } from '../../generated/operations.js';
import { postGraphQL, subscribeSse } from '../../utils/graphql-clients.js';
import { collect, MP4_HEADER, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from '../../utils/redis.js';
import { startStack, TEST_MAVI_KEY, type Stack } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { waitUntil } from '../../utils/wait.js';
import { ALICE, BOB, asAlice, asBob } from '../../utils/two-clients.js';

const UNNAMED = 'client-key-cccccccccccccccccccc';
const VIDEO = Buffer.concat([MP4_HEADER, Buffer.alloc(4000, 1)]);

describe('partitions per client on the successor family', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      simulator: { family: 'v1', manualCallbacks: true },
      env: { GATEWAY_API_KEYS: `alice:${ALICE},bob:${BOB},${UNNAMED}` },
    });
  });
  afterAll(() => stack.stop());

  it("each client's uploads reach MAVI under its own unique_id; the key never shows", async () => {
    const alice = await uploadVideo(stack.graphqlUrl, { content: VIDEO, headers: asAlice });
    const bob = await uploadVideo(stack.graphqlUrl, { content: VIDEO, headers: asBob });
    const unnamed = await uploadVideo(stack.graphqlUrl, {
      content: VIDEO,
      headers: { authorization: `Bearer ${UNNAMED}` },
    });
    const partition = (result: typeof alice) =>
      stack.simulator.videos.get(result.json.data.uploadVideo.videoNo)!.partition;
    expect(partition(alice)).toBe('alice');
    expect(partition(bob)).toBe('bob');
    // A key without a name: a stable digest of it, never the key.
    expect(partition(unnamed)).toMatch(/^key-[0-9a-f]{16}$/);
    expect(JSON.stringify([...stack.simulator.videos.values()])).not.toContain(UNNAMED);
    expect(stack.logs.join('\n')).toContain('"client":"alice"');
  });

  it("one client cannot see another's video: byte for byte the answer for an unknown one", async () => {
    const alice = await uploadVideo(stack.graphqlUrl, { content: VIDEO, headers: asAlice });
    const videoNo = alice.json.data.uploadVideo.videoNo;
    const theirs = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo }, asBob);
    const unknown = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo: 'VI000000000000000000' }, asBob);
    expect(theirs).toEqual(unknown);
    expect(theirs.body.data?.video).toBeNull();

    const theirFeed = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo }, asBob);
    const unknownFeed = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo: 'VI000000000000000000' }, asBob);
    await Promise.all([theirFeed.collected.ended(), unknownFeed.collected.ended()]);
    expect(JSON.stringify(theirFeed.collected.events).replace(videoNo, 'X')).toBe(
      JSON.stringify(unknownFeed.collected.events).replace('VI000000000000000000', 'X'),
    );
    expect(theirFeed.collected.events[0]!.errors![0]!.extensions!.code).toBe('VIDEO_NOT_FOUND');
  });

  it("deleting under another client's partition leaves the video at MAVI", async () => {
    const alice = await uploadVideo(stack.graphqlUrl, { content: VIDEO, headers: asAlice });
    const videoNo = alice.json.data.uploadVideo.videoNo;
    const mavi = createMaviApi({ family: 'v1', baseUrl: stack.simulator.url, apiKey: TEST_MAVI_KEY });
    try {
      await mavi.deleteVideos([videoNo], 'bob');
      expect(stack.simulator.videos.has(videoNo)).toBe(true);
      await mavi.deleteVideos([videoNo], 'alice');
      expect(stack.simulator.videos.has(videoNo)).toBe(false);
      await mavi.deleteVideos([videoNo], 'alice'); // idempotent
    } finally {
      await mavi.close();
    }
  });

  it('refuses a key sent as "Bearer <key>", as the successor does', async () => {
    const answer = await request(`${stack.simulator.url}/serve/api/v1/get_metadata?video_no=VI1`, {
      headers: { authorization: `Bearer ${TEST_MAVI_KEY}` },
    });
    await answer.body.dump();
    expect(answer.statusCode).toBe(401);
  });
});

describe.each(['original', 'v1'] as const)('%s family: every documented code', (family) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ simulator: { family, manualCallbacks: true } });
  });
  afterAll(() => stack.stop());

  it.each([
    ['0401', 'MAVI_AUTH'],
    ['9009', 'MAVI_AUTH'],
    ['0402', 'MAVI_QUOTA'],
    ['0403', 'MAVI_AUTH'],
    ['403', 'MAVI_AUTH'],
    ['0429', 'MAVI_BUSY'],
    ['429', 'MAVI_BUSY'],
    ['0001', 'MAVI_REJECTED'],
    ['0003', 'MAVI_REJECTED'],
    ['0409', 'MAVI_REJECTED'],
  ])('code %s → %s', async (code, expected) => {
    stack.simulator.fault = { kind: 'rejected', code, msg: `refused with ${code}` };
    try {
      const result = await uploadVideo(stack.graphqlUrl, { content: VIDEO });
      expect(result.json.errors[0].extensions.code).toBe(expected);
      expect(result.json.errors[0].extensions.retryable).toBe(expected === 'MAVI_BUSY');
    } finally {
      stack.simulator.fault = undefined;
    }
  });

  it('HTTP 429 → MAVI_BUSY', async () => {
    stack.simulator.fault = { kind: 'http-429' };
    try {
      const result = await uploadVideo(stack.graphqlUrl, { content: VIDEO });
      expect(result.json.errors[0].extensions.code).toBe('MAVI_BUSY');
    } finally {
      stack.simulator.fault = undefined;
    }
  });

  it('a delete of a video already gone counts as done', async () => {
    const mavi = createMaviApi({ family, baseUrl: stack.simulator.url, apiKey: TEST_MAVI_KEY });
    try {
      await expect(mavi.deleteVideos(['mavi_video_123456789012345678'], 'default')).resolves.toBeUndefined();
    } finally {
      await mavi.close();
    }
  });
});

describe.each(['original', 'v1'] as const)('%s family: the files it takes', (family) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ simulator: { family, manualCallbacks: true } });
  });
  afterAll(() => stack.stop());

  const avi = Buffer.concat([
    Buffer.from('RIFF'),
    Buffer.from([0, 0, 1, 0]),
    Buffer.from('AVI LIST'),
    Buffer.alloc(4000, 2),
  ]);
  const mov = Buffer.concat([Buffer.from([0, 0, 0, 0x14]), Buffer.from('ftypqt  '), Buffer.alloc(4000, 3)]);
  const mkv = Buffer.concat([
    Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88]),
    Buffer.from('matroska'),
    Buffer.alloc(4000, 4),
  ]);

  it.each([
    ['clip.avi', avi, { original: 'refused', v1: 'video/x-msvideo' }],
    ['clip.mov', mov, { original: 'video/mp4', v1: 'video/quicktime' }],
    ['clip.mkv', mkv, { original: 'video/mp4', v1: 'video/x-matroska' }],
    ['clip.mpg', VIDEO, { original: 'video/mp4', v1: 'refused' }],
  ] as const)('%s', async (fileName, content, expected) => {
    const requestsBefore = stack.simulator.stats.uploadRequests;
    // Declared as video/mp4 whatever it is: the original family passes that on, the successor the sniffed type.
    const result = await uploadVideo(stack.graphqlUrl, { content, fileName, contentType: 'video/mp4' });
    if (expected[family] === 'refused') {
      expect(result.json.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(result.json.errors[0].message).toMatch(
        family === 'v1' ? /\.mp4, \.avi, \.mkv and \.mov/ : /MP4\/MOV or Matroska\/WebM/,
      );
      expect(stack.simulator.stats.uploadRequests).toBe(requestsBefore);
    } else {
      expect(result.json.errors).toBeUndefined();
      const received = stack.simulator.videos.get(result.json.data.uploadVideo.videoNo)!;
      expect(received.contentType).toBe(expected[family]);
    }
  });
});

describe.each(['original', 'v1'] as const)('%s family: status spellings', (family) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ simulator: { family, manualCallbacks: true } });
  });
  afterAll(() => stack.stop());

  it.each(['FAILED', 'PARSE_ERROR', 'FAIL'])('%s is FAIL', async (spelling) => {
    const uploaded = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(2048)) });
    const videoNo = uploaded.json.data.uploadVideo.videoNo;
    expect((await stack.simulator.sendCallback(videoNo, spelling)).httpStatus).toBe(200);
    expect((await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo })).body.data?.video?.status).toBe('FAIL');
  });

  it('an unknown status changes nothing, sends no event, and is logged once', async () => {
    const uploaded = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(2048)) });
    const videoNo = uploaded.json.data.uploadVideo.videoNo;
    const feed = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo });
    await feed.collected.waitForEvents(1);
    for (let i = 0; i < 3; i += 1) {
      const answer = await request(stack.simulator.videos.get(videoNo)!.callbackUri!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ videoNo, status: 'INDEXING_SOMEHOW' }),
      });
      expect(await answer.body.json()).toEqual({ accepted: true, applied: false });
    }
    await stack.simulator.sendCallback(videoNo, 'PARSE');
    await feed.collected.ended();
    expect(feed.collected.events.map((event) => event.data?.videoStatus.status)).toEqual(['UNPARSE', 'PARSE']);
    expect(stack.logs.filter((line) => line.includes('INDEXING_SOMEHOW'))).toHaveLength(1);
  });

  it('polling reads a FAILED spelling as FAIL', async () => {
    const polling = await startStack({
      sharedSimulator: stack.simulator,
      env: { STATUS_POLL_INTERVAL_MS: '100' },
      gateway: { callbackToSelf: false },
    });
    try {
      const uploaded = await uploadVideo(polling.graphqlUrl, { content: await collect(videoFile(2048)) });
      const videoNo = uploaded.json.data.uploadVideo.videoNo;
      await stack.simulator.setStatus(videoNo, 'FAILED');
      await waitUntil(
        async () =>
          (await postGraphQL(polling.graphqlUrl, VideoDocument, { videoNo })).body.data?.video?.status === 'FAIL',
        'polling learned FAIL',
      );
    } finally {
      await polling.stop();
    }
  });
});

describe('MAVI_UPLOADS_PER_MINUTE', () => {
  it('refuses the third upload inside the minute before any byte reaches MAVI, saying when to come back', async () => {
    const stack = await startStack({ env: { MAVI_UPLOADS_PER_MINUTE: '2' } });
    try {
      for (let i = 0; i < 2; i += 1) {
        expect((await uploadVideo(stack.graphqlUrl, { content: VIDEO })).json.errors).toBeUndefined();
      }
      const requestsBefore = stack.simulator.stats.uploadRequests;
      const third = await uploadVideo(stack.graphqlUrl, { content: VIDEO });
      expect(third.status).toBe(429);
      expect(third.json.errors[0].extensions).toMatchObject({ code: 'TOO_MANY_UPLOADS', retryable: true });
      const retryAfter = Number(third.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(third.json.errors[0].message).toContain(`in ${retryAfter} s`);
      expect(stack.simulator.stats.uploadRequests).toBe(requestsBefore);
    } finally {
      await stack.stop();
    }
  });

  it('is one budget for every instance on the same Redis', async () => {
    if (!(await requireRedis('test/e2e/mavi/mavi-families.test.ts'))) return;
    const simulator = new TestSimulator({ apiKey: TEST_MAVI_KEY, manualCallbacks: true });
    await simulator.start();
    const prefix = uniquePrefix();
    const env = { REDIS_URL, REDIS_PREFIX: prefix, MAVI_UPLOADS_PER_MINUTE: '2' };
    const a = await startStack({ sharedSimulator: simulator, env });
    const b = await startStack({ sharedSimulator: simulator, env });
    try {
      expect((await uploadVideo(a.graphqlUrl, { content: VIDEO })).json.errors).toBeUndefined();
      expect((await uploadVideo(b.graphqlUrl, { content: VIDEO })).json.errors).toBeUndefined();
      const requestsBefore = simulator.stats.uploadRequests;
      const third = await uploadVideo(a.graphqlUrl, { content: VIDEO });
      expect(third.status).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(simulator.stats.uploadRequests).toBe(requestsBefore);
    } finally {
      await a.stop();
      await b.stop();
      await simulator.stop();
      await dropPrefix(prefix);
    }
  });
});
