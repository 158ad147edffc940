/**
 * Several instances sharing one Redis behave as one gateway: a callback on B
 * reaches subscribers on A, any instance answers for any upload, concurrent
 * duplicate callbacks make one event, polling is not multiplied, and a Redis
 * restart heals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSimulator } from '../../utils/test-simulator.js';
import { VideoDocument, VideoStatusDocument } from '../../generated/operations.js';
import { startGatewayProcess, type GatewayProcess } from '../../utils/gateway-process.js';
import { postGraphQL, subscribeSse, subscribeWs, wsClient, type Collected } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from '../../utils/redis.js';
import { ManualClock } from '../../utils/manual-clock.js';
import { startStack, TEST_MAVI_KEY, TEST_WEBHOOK_SECRET, type Stack } from '../../utils/stack.js';
import { testFamily } from '../../utils/family.js';
import { waitUntil } from '../../utils/wait.js';
import { freePort } from '../../utils/free-port.js';
import { ALICE as KEY_A, BOB as KEY_B, asAlice as asA, asBob as asB } from '../../utils/two-clients.js';

const hasRedis = await requireRedis('test/e2e/scale-out/scale-out.test.ts');

const statuses = (collected: Collected<{ videoStatus: { status: string } }>) =>
  collected.events.map((event) => event.data?.videoStatus.status);

let simulator: TestSimulator;
const prefixes: string[] = [];
beforeAll(async () => {
  simulator = new TestSimulator({ apiKey: TEST_MAVI_KEY, manualCallbacks: true });
  await simulator.start();
});
afterAll(async () => {
  await simulator.stop();
  if (hasRedis) for (const prefix of prefixes) await dropPrefix(prefix);
});

function redisEnv(redisUrl = REDIS_URL) {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  return { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, WEBHOOK_SECRET: TEST_WEBHOOK_SECRET };
}

async function upload(graphqlUrl: string, headers: Record<string, string> = {}) {
  const result = await uploadVideo(graphqlUrl, { content: await collect(videoFile(4096)), headers });
  expect(result.json.errors).toBeUndefined();
  return result.json.data.uploadVideo.videoNo as string;
}

describe.skipIf(!hasRedis)('two gateway processes on one Redis', () => {
  const processes: GatewayProcess[] = [];
  afterAll(async () => {
    for (const gateway of processes) expect(await gateway.stop()).toBe(0);
  });

  it('upload through A, callback to B: subscribers on both get it, B knows the upload, isolation holds', async () => {
    const shared = {
      ...redisEnv(),
      MAVI_API_KEY: simulator.apiKey,
      MAVI_BASE_URL: simulator.url,
      GATEWAY_API_KEYS: `${KEY_A},${KEY_B}`,
      STATUS_POLL_INTERVAL_MS: '600000',
    };
    const b = startGatewayProcess(shared);
    processes.push(b);
    const urlB = await b.url;
    // MAVI calls back to the load balancer; here it sends every callback to B.
    const a = startGatewayProcess({ ...shared, PUBLIC_URL: urlB });
    processes.push(a);
    const urlA = await a.url;

    const videoNo = await upload(`${urlA}/graphql`, asA);
    expect(simulator.videos.get(videoNo)!.callbackUri).toMatch(new RegExp(`^${urlB}/webhooks/mavi/`));

    const client = wsClient(`${urlA.replace('http', 'ws')}/graphql`, { authorization: `Bearer ${KEY_A}` });
    const onA = subscribeWs(client, VideoStatusDocument, { videoNo });
    const onB = subscribeSse(`${urlB}/graphql`, VideoStatusDocument, { videoNo }, asA);
    await onA.collected.waitForEvents(1);
    await onB.collected.waitForEvents(1);

    const seenByB = await postGraphQL(`${urlB}/graphql`, VideoDocument, { videoNo }, asA);
    expect(seenByB.body.data?.video).toMatchObject({ videoNo, status: 'UNPARSE' });
    const otherKeyOnB = await postGraphQL(`${urlB}/graphql`, VideoDocument, { videoNo }, asB);
    expect(otherKeyOnB.body).toEqual({ data: { video: null } });

    expect((await simulator.sendCallback(videoNo, 'PARSE')).httpStatus).toBe(200);
    for (const { collected } of [onA, onB]) {
      await collected.ended();
      expect(statuses(collected)).toEqual(['UNPARSE', 'PARSE']);
    }
    // A late subscriber on either instance gets the replayed final status.
    const late = subscribeSse(`${urlA}/graphql`, VideoStatusDocument, { videoNo }, asA);
    await late.collected.ended();
    expect(statuses(late.collected)).toEqual(['PARSE']);
    await client.dispose();
  });
});

describe.skipIf(!hasRedis)('instances in one process, on one Redis', () => {
  let a: Stack;
  let b: Stack;
  let env: Record<string, string>;
  beforeAll(async () => {
    env = redisEnv();
    a = await startStack({ sharedSimulator: simulator, env });
    b = await startStack({ sharedSimulator: simulator, env });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('concurrent duplicate callbacks on A and B produce one event', async () => {
    const videoNo = await upload(a.graphqlUrl);
    const tokenUri = simulator.videos.get(videoNo)!.callbackUri!;
    const token = tokenUri.slice(tokenUri.lastIndexOf('/') + 1);

    // Count what is published on the video's channel, straight from Redis.
    const listener = new Redis(REDIS_URL);
    const published: string[] = [];
    listener.on('message', (_channel, message) => published.push(message));
    await listener.subscribe(`${env.REDIS_PREFIX}videoStatus:${videoNo}`);

    const body = JSON.stringify({ videoNo, clientId: 'c', status: 'PARSE' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${(i % 2 ? a : b).url}/webhooks/mavi/${token}`, { method: 'POST', body }).then((r) => r.json()),
      ),
    );
    expect(answers.filter((answer) => answer.applied)).toHaveLength(1);
    await sleep(200);
    expect(published.map((message) => JSON.parse(message).status)).toEqual(['PARSE']);
    listener.disconnect();
  });

  it('a token minted on A is honoured on B, and the early-callback hold works across instances', async () => {
    const racing = new TestSimulator({
      apiKey: TEST_MAVI_KEY,
      unparseCallbackDelayMs: 5,
      parseDelayMs: 30,
      answerDelayMs: 300,
    });
    await racing.start();
    const env2 = redisEnv();
    const first = await startStack({ sharedSimulator: racing, env: env2 });
    const second = await startStack({
      sharedSimulator: racing,
      env: { ...env2, PUBLIC_URL: first.url },
      gateway: { callbackToSelf: false },
    });
    try {
      // Upload through the second; MAVI calls back (early) to the first.
      const result = await uploadVideo(second.graphqlUrl, { content: await collect(videoFile(4096)) });
      expect(result.json.data.uploadVideo.status).toBe('PARSE');
      expect(racing.callbacks.map((c) => c.httpStatus)).toEqual([202, 202]);
    } finally {
      await first.stop();
      await second.stop();
      await racing.stop();
    }
  });

  it('polls each video from one instance at a time (lease), not from every instance', async () => {
    // A lease lasts one interval: a minute, so both instances' rounds below fall within it.
    const pollEnv = { ...redisEnv(), STATUS_POLL_INTERVAL_MS: '60000' };
    const clocks = [new ManualClock(), new ManualClock()];
    const polling = [
      await startStack({
        sharedSimulator: simulator,
        env: pollEnv,
        gateway: { callbackToSelf: false, polling: { clock: clocks[0], staleAfterMs: 0 } },
      }),
      await startStack({
        sharedSimulator: simulator,
        env: pollEnv,
        gateway: { callbackToSelf: false, polling: { clock: clocks[1], staleAfterMs: 0 } },
      }),
    ];
    try {
      for (let i = 0; i < 3; i += 1) await upload(polling[i % 2]!.graphqlUrl);
      const before = simulator.stats.searchDbCalls;
      // A round on each instance: the first takes the three leases and asks MAVI, the second
      // finds them held and asks nothing.
      await clocks[0]!.tick();
      await clocks[1]!.tick();
      // One searchDB call for the three (they share a window), or one get_metadata call per
      // video on the successor family; two instances without leases would make twice that.
      const callsPerRound = testFamily() === 'v1' ? 3 : 1;
      expect(simulator.stats.searchDbCalls - before).toBe(callsPerRound);
    } finally {
      for (const stack of polling) await stack.stop();
    }
  });
});

describe.skipIf(!hasRedis)('a Redis restart in the middle of a run', () => {
  let redis: ChildProcess | undefined;
  let port: number;
  let dir: string;
  const startRedis = async () => {
    redis = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        dir,
      ],
      {
        stdio: 'ignore',
      },
    );
    await waitUntil(
      async () => (await import('../../utils/redis.js')).redisIsUp(`redis://127.0.0.1:${port}`),
      'redis-server started',
    );
  };
  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'gateway-redis-'));
    await startRedis();
  });
  afterAll(() => {
    redis?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays up, answers 503 on /ready and to webhooks while Redis is away, and delivers again after', async () => {
    const env = redisEnv(`redis://127.0.0.1:${port}`);
    const a = await startStack({ sharedSimulator: simulator, env });
    const b = await startStack({ sharedSimulator: simulator, env: { ...env, PUBLIC_URL: 'http://unused.invalid' } });
    try {
      const videoNo = await upload(a.graphqlUrl);
      const tokenUri = simulator.videos.get(videoNo)!.callbackUri!;
      const onB = subscribeWs(wsClient(b.wsUrl), VideoStatusDocument, { videoNo });
      await onB.collected.waitForEvents(1);

      redis!.kill('SIGKILL');
      await waitUntil(async () => (await fetch(`${a.url}/ready`)).status === 503, '/ready turns 503');
      expect((await fetch(`${a.url}/health`)).status).toBe(200);
      const during = await simulator.sendCallback(videoNo, 'PARSE', tokenUri);
      expect(during.httpStatus).toBe(503);
      const query = await postGraphQL(a.graphqlUrl, VideoDocument, { videoNo });
      expect(query.body.errors![0]!.extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });

      await startRedis();
      await waitUntil(async () => (await fetch(`${a.url}/ready`)).status === 200, '/ready back to 200');
      await waitUntil(async () => (await fetch(`${b.url}/ready`)).status === 200, '/ready back to 200 on B');
      // MAVI retries (or polling heals): this time it is stored, and B's subscriber hears it.
      const after = await simulator.sendCallback(videoNo, 'PARSE', tokenUri);
      expect(after.httpStatus).toBe(200);
      await onB.collected.ended();
      expect(statuses(onB.collected)).toEqual(['UNPARSE', 'PARSE']);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('subscribers that come and go while Redis is away get STORE_UNAVAILABLE or a clean end, and the process lives on', async () => {
    const env = redisEnv(`redis://127.0.0.1:${port}`);
    const a = await startStack({ sharedSimulator: simulator, env });
    try {
      const videoNo = await upload(a.graphqlUrl);
      const client = wsClient(a.wsUrl);
      const open = subscribeWs(client, VideoStatusDocument, { videoNo });
      await open.collected.waitForEvents(1);

      redis!.kill('SIGKILL');
      await waitUntil(async () => (await fetch(`${a.url}/ready`)).status === 503, '/ready turns 503');
      open.unsubscribe(); // UNSUBSCRIBE cannot reach Redis
      const late = subscribeWs(client, VideoStatusDocument, { videoNo }); // neither can SUBSCRIBE
      await late.collected.ended();
      expect(late.collected.completed).toBe(true);
      expect(late.collected.events[0]!.errors![0]!.extensions!.code).toBe('STORE_UNAVAILABLE');
      await waitUntil(
        () => a.logs.some((line) => line.includes('Redis UNSUBSCRIBE failed')),
        'the failure logged',
        15_000,
      );
      expect((await fetch(`${a.url}/health`)).status).toBe(200);
      await client.dispose();
    } finally {
      await startRedis();
      await a.stop();
    }
  });

  it('an upload that MAVI accepted while Redis went away is taken back at MAVI, not left half-registered', async () => {
    const env = redisEnv(`redis://127.0.0.1:${port}`);
    const a = await startStack({ sharedSimulator: simulator, env });
    try {
      const videosBefore = simulator.videos.size;
      const deletedBefore = simulator.stats.deletedVideos;
      const receivedBefore = simulator.stats.bytesReceived;
      let killed = false;
      const result = await uploadVideo(a.graphqlUrl, {
        content: (async function* () {
          for await (const chunk of videoFile(2 * 1024 * 1024, 64 * 1024)) {
            yield chunk;
            await sleep(10);
          }
        })(),
        // Redis goes once MAVI is receiving the file: the upload is then registered in the store, and
        // MAVI will register the video (a client-side byte count would race a busy gateway).
        onProgress: () => {
          if (!killed && simulator.stats.bytesReceived - receivedBefore > 128 * 1024) {
            killed = true;
            redis!.kill('SIGKILL');
          }
        },
      });
      expect(result.json.errors[0].extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
      expect(simulator.stats.deletedVideos).toBe(deletedBefore + 1);
      expect(simulator.videos.size).toBe(videosBefore);
      expect(a.logs.join('\n')).toContain('deleted a video at MAVI that the gateway could not record');
    } finally {
      await startRedis();
      await a.stop();
    }
  });
});
