/**
 * A Redis that is connected but answers nothing (stopped with SIGSTOP) holds no
 * request: each Redis command fails after REDIS_COMMAND_TIMEOUT_MS, callers are
 * answered STORE_UNAVAILABLE (retryable), and /ready says not ready until Redis
 * answers again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDocument } from '../../generated/operations.js';
import { postGraphQL } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { requireRedis, startPrivateRedis } from '../../utils/redis.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { waitUntil } from '../../utils/wait.js';

const hasRedis = await requireRedis('test/e2e/scale-out/redis-stall.test.ts');

describe.skipIf(!hasRedis)('a Redis that stops answering', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let stack: Stack;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    stack = await startStack({
      simulator: { manualCallbacks: true },
      env: { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '1000' },
    });
  });
  afterAll(async () => {
    redis.resume();
    await stack.stop();
    redis.stop();
  });

  it('fails callbacks, uploads and queries with STORE_UNAVAILABLE, reports not ready, and recovers', async () => {
    const uploaded = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
    const videoNo = uploaded.json.data.uploadVideo.videoNo as string;
    const callbackUri = stack.simulator.videos.get(videoNo)!.callbackUri!;
    await waitUntil(async () => (await fetch(`${stack.url}/ready`)).status === 200, 'ready');

    redis.pause();
    try {
      await waitUntil(async () => (await fetch(`${stack.url}/ready`)).status === 503, '/ready turns 503');
      expect((await fetch(`${stack.url}/health`)).status).toBe(200);

      const callback = await stack.simulator.sendCallback(videoNo, 'PARSE', callbackUri);
      expect(callback.httpStatus).toBe(503);

      const upload = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
      expect(upload.json.errors[0].extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
      expect(stack.simulator.stats.uploadRequests).toBe(1); // refused before MAVI was asked

      const query = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo });
      expect(query.body.errors![0]!.extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
    } finally {
      redis.resume();
    }
    await waitUntil(async () => (await fetch(`${stack.url}/ready`)).status === 200, '/ready back to 200');
    const after = await stack.simulator.sendCallback(videoNo, 'PARSE', callbackUri);
    expect(after.httpStatus).toBe(200);
    const query = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo });
    expect(query.body.data!.video!.status).toBe('PARSE');
  });
});
