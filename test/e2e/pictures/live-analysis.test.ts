/**
 * Live analyses: MAVI watching an RTMP stream and posting results to the gateway, which hands
 * them on as the `liveAnalysis` subscription over graphql-ws and SSE, keeps the latest for a
 * subscriber that comes later, and the app's backend gets them as webhooks. The simulator plays
 * the stream host from fake rtmp:// URLs (src/simulator/v1-pictures.ts says how their paths
 * behave). MAVI's 4 streams per key are shared fairly, here and across instances on Redis; a
 * stream is given back on stop, on erasure, when MAVI refuses it and when it goes silent.
 * The original family has no live streams: UNSUPPORTED_BY_MAVI.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EraseOwnerDocument,
  ImagesDocument,
  UploadImageDocument,
  LiveAnalysisDocument,
  StartLiveAnalysisDocument,
  StopLiveAnalysisDocument,
} from '../../generated/operations.js';
import { postGraphQL, subscribeSse, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { testFamily } from '../../utils/family.js';
import { PICTURES, postOperationWithFile } from '../../utils/multipart-client.js';
import { bearer, startTokenStack, TestIdentityProvider } from '../../utils/identity-provider.js';
import { dropPrefix, requireRedis, uniquePrefix } from '../../utils/redis.js';
import { freePort } from '../../utils/free-port.js';
import { startStack, TEST_MAVI_KEY, TEST_WEBHOOK_SECRET, type Stack } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { waitUntil } from '../../utils/wait.js';
import { appWebhookEnv, newWebhookSecret, WebhookReceiver } from '../../utils/webhook-receiver.js';

const OWNERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
type OwnerName = (typeof OWNERS)[number];
const keyOf = (owner: OwnerName) => `client-key-${owner.padEnd(20, owner[0])}`;
const as = (owner: OwnerName) => ({ authorization: `Bearer ${keyOf(owner)}` });
const SERVICE_KEY = 'service-key-for-live-tests-000001';
const KEYS = {
  GATEWAY_API_KEYS: OWNERS.map((owner) => `${owner}:${keyOf(owner)}`).join(','),
  GATEWAY_SERVICE_KEYS: `backend:${SERVICE_KEY}`,
};
/** The fake stream hosts resolve to a public address (nothing is fetched: MAVI would connect to them). */
const resolveHost = async (host: string) => (host.endsWith('.example.com') ? ['93.184.216.34'] : []);
const CAMERA = 'rtmp://cam.example.com/live/door-key-123';

const v1 = testFamily() === 'v1';

async function start(stack: Stack, owner: OwnerName, streamUrl = CAMERA) {
  return postGraphQL(
    stack.graphqlUrl,
    StartLiveAnalysisDocument,
    { streamUrl, prompt: 'Tell me when someone is at the door', systemPrompt: null },
    as(owner),
  );
}

async function started(stack: Stack, owner: OwnerName, streamUrl = CAMERA): Promise<string> {
  const answer = await start(stack, owner, streamUrl);
  const analysis = answer.body.data?.startLiveAnalysis;
  if (!analysis) throw new Error(`the start was refused: ${JSON.stringify(answer.body.errors)}`);
  return analysis.id;
}

const stop = (stack: Stack, owner: OwnerName, id: string) =>
  postGraphQL(stack.graphqlUrl, StopLiveAnalysisDocument, { id }, as(owner));

const runningAtMavi = (stack: Stack) =>
  [...stack.simulator.pictures.liveTasks.values()].filter((task) => task.running).length;

describe.runIf(v1)('live analyses (successor family)', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    const secret = newWebhookSecret();
    receiver = await new WebhookReceiver([secret]).start();
    stack = await startStack({
      simulator: { family: 'v1', liveResultIntervalMs: 50 },
      env: { ...KEYS, ...appWebhookEnv(receiver, secret) },
      gateway: { resolveHost },
    });
  });
  afterAll(async () => {
    await stack.stop();
    await receiver.stop();
  });

  it('streams results over graphql-ws and SSE, replays the latest to a late subscriber, and completes both on stop', async () => {
    const answer = await start(stack, 'alice');
    expect(answer.body.data!.startLiveAnalysis).toMatchObject({ state: 'STARTING' });
    const id = answer.body.data!.startLiveAnalysis!.id;

    const client = wsClient(stack.wsUrl, { authorization: `Bearer ${keyOf('alice')}` });
    const ws = subscribeWs(client, LiveAnalysisDocument, { id });
    const sse = subscribeSse(stack.graphqlUrl, LiveAnalysisDocument, { id }, as('alice'));
    await Promise.all([ws.collected.waitForEvents(2), sse.collected.waitForEvents(2)]);
    for (const { collected } of [ws, sse]) {
      const event = collected.events[1]!.data!.liveAnalysis;
      expect(event).toMatchObject({ analysisId: id, state: 'RUNNING', stopReason: null });
      expect(event.text).toMatch(/^Result \d+: a person is at the door/);
      expect(event.raw).toMatchObject({
        task_id: expect.any(String),
        data: { text: event.text, frame: expect.any(Number) },
      });
    }

    // A subscriber that comes later gets the latest result first.
    const late = subscribeSse(stack.graphqlUrl, LiveAnalysisDocument, { id }, as('alice'));
    const [first] = await late.collected.waitForEvents(1);
    expect(first!.data!.liveAnalysis).toMatchObject({
      analysisId: id,
      state: 'RUNNING',
      text: expect.stringMatching(/^Result/),
    });

    const stopped = await stop(stack, 'alice', id);
    expect(stopped.body.data!.stopLiveAnalysis).toMatchObject({ id, state: 'STOPPED', stopReason: 'STOPPED_BY_OWNER' });
    for (const { collected } of [ws, sse, late]) {
      await collected.ended();
      expect(collected.completed).toBe(true);
      expect(collected.events.at(-1)!.data!.liveAnalysis).toMatchObject({
        state: 'STOPPED',
        stopReason: 'STOPPED_BY_OWNER',
        raw: null,
      });
    }
    await client.dispose();
    expect(runningAtMavi(stack)).toBe(0);

    // After the end: the latest result, then the end, and the subscription completes.
    const after = subscribeSse(stack.graphqlUrl, LiveAnalysisDocument, { id }, as('alice'));
    await after.collected.ended();
    expect(after.collected.events.map((event) => event.data!.liveAnalysis.state)).toEqual(['RUNNING', 'STOPPED']);
    // Stopping again changes nothing.
    expect((await stop(stack, 'alice', id)).body.data!.stopLiveAnalysis).toMatchObject({ state: 'STOPPED' });
  });

  it('hands results and the end to the app backend as signed webhooks', async () => {
    const id = await started(stack, 'bob');
    const [result] = await receiver.waitFor(() => {
      const found = receiver.ofType('live.result').filter((delivery) => delivery.payload!.data.analysisId === id);
      return found.length > 0 && found;
    });
    expect(result!.payload!.data).toMatchObject({
      analysisId: id,
      text: expect.stringMatching(/^Result/),
      owner: { key: 'bob' },
    });
    await stop(stack, 'bob', id);
    const [ended] = await receiver.waitFor(() => {
      const found = receiver.ofType('live.stopped').filter((delivery) => delivery.payload!.data.analysisId === id);
      return found.length > 0 && found;
    });
    expect(ended!.payload!.data).toMatchObject({ analysisId: id, state: 'STOPPED', reason: 'STOPPED_BY_OWNER' });
  });

  it('admits one stream per owner and four in all, gives one back on stop, and never asks MAVI for a fifth', async () => {
    const ids: Partial<Record<OwnerName, string>> = {};
    ids.alice = await started(stack, 'alice');
    const second = await start(stack, 'alice');
    expect(second.status).toBe(429);
    expect(second.body.errors![0]!.extensions).toMatchObject({ code: 'LIVE_CAPACITY_FULL', retryAfterSeconds: 30 });
    expect(second.body.errors![0]!.message).toMatch(/LIVE_STREAMS_PER_OWNER/);

    for (const owner of ['bob', 'carol', 'dave'] as const) ids[owner] = await started(stack, owner);
    const fifth = await start(stack, 'erin');
    expect(fifth.body.errors![0]!.extensions!.code).toBe('LIVE_CAPACITY_FULL');
    expect(fifth.body.errors![0]!.message).toMatch(/\(4\) is taken/);
    expect(runningAtMavi(stack)).toBe(4);

    await stop(stack, 'alice', ids.alice);
    ids.erin = await started(stack, 'erin');
    expect(runningAtMavi(stack)).toBe(4);
    for (const owner of ['bob', 'carol', 'dave', 'erin'] as const) await stop(stack, owner, ids[owner]!);
    expect(runningAtMavi(stack)).toBe(0);
  });

  it("is LIVE_CAPACITY_FULL when MAVI's streams are taken by another app on the key, holding nothing", async () => {
    const foreign: string[] = [];
    for (let n = 0; n < 4; n += 1) {
      const answer = await request(`${stack.simulator.url}/v1/understand/streamConnect`, {
        method: 'POST',
        headers: { authorization: stack.simulator.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          url: `rtmp://other.example.com/silent/${n}`,
          user_prompt: 'x',
          callback: 'http://192.0.2.1/x',
        }),
      });
      foreign.push(((await answer.body.json()) as { task_id: string }).task_id);
    }
    const refused = await start(stack, 'alice');
    expect(refused.body.errors![0]!.extensions!.code).toBe('LIVE_CAPACITY_FULL');
    expect(refused.body.errors![0]!.message).toMatch(/another app on the same key/);
    for (const taskId of foreign) {
      await request(`${stack.simulator.url}/v1/understand/stop/${taskId}`, {
        method: 'POST',
        headers: { authorization: stack.simulator.apiKey },
      }).then((answer) => answer.body.dump());
    }
    // Its slots were given back: the same owner starts at once.
    await stop(stack, 'alice', await started(stack, 'alice'));
  });

  it("answers another owner's analysis as an unknown one", async () => {
    const id = await started(stack, 'carol');
    const peek = subscribeSse(stack.graphqlUrl, LiveAnalysisDocument, { id }, as('dave'));
    await peek.collected.ended();
    expect(peek.collected.events[0]!.errors![0]!.extensions!.code).toBe('LIVE_ANALYSIS_NOT_FOUND');
    const stopByDave = await stop(stack, 'dave', id);
    expect(stopByDave.body.errors![0]!.extensions!.code).toBe('LIVE_ANALYSIS_NOT_FOUND');
    expect(runningAtMavi(stack)).toBe(1);
    await stop(stack, 'carol', id);
  });

  it('refuses a stream URL that is not a public rtmp(s) address, and a missing prompt, sending MAVI nothing', async () => {
    const asked = stack.simulator.pictures.liveTasks.size;
    const refusals = {
      'http://cam.example.com/live': 'STREAM_URL_REFUSED',
      'rtmp://127.0.0.1/live/key': 'STREAM_URL_REFUSED',
      'rtmp://10.1.2.3/live/key': 'STREAM_URL_REFUSED',
      'rtmp://user:secret@cam.example.com/live': 'STREAM_URL_REFUSED',
      'not a url': 'INVALID_INPUT',
    };
    for (const [streamUrl, code] of Object.entries(refusals)) {
      const answer = await start(stack, 'alice', streamUrl);
      expect(answer.body.errors![0]!.extensions!.code, streamUrl).toBe(code);
    }
    const noPrompt = await postGraphQL(
      stack.graphqlUrl,
      StartLiveAnalysisDocument,
      { streamUrl: CAMERA, prompt: ' ', systemPrompt: null },
      as('alice'),
    );
    expect(noPrompt.body.errors![0]!.extensions!.code).toBe('INVALID_INPUT');
    expect(stack.simulator.pictures.liveTasks.size).toBe(asked);
    // Nothing was held: the owner's one stream starts.
    await stop(stack, 'alice', await started(stack, 'alice'));
  });

  it('refuses forged and misdirected results, changing nothing', async () => {
    const post = async (token: string) => {
      const answer = await request(`${stack.url}/webhooks/mavi/live/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: { text: 'forged' } }),
      });
      return { status: answer.statusCode, body: (await answer.body.json()) as { error: { code: string } } };
    };
    expect(await post('not-a-token')).toMatchObject({
      status: 403,
      body: { error: { code: 'CALLBACK_TOKEN_INVALID' } },
    });
    // An upload's genuine token is worthless here: the purpose is in its MAC.
    expect(await post(stack.gateway.parts.tokens.mint().token)).toMatchObject({ status: 403 });
    // A genuine live token, for no analysis.
    expect(await post(stack.gateway.parts.liveTokens.mint().token)).toMatchObject({
      status: 404,
      body: { error: { code: 'CALLBACK_UPLOAD_UNKNOWN' } },
    });
    // The genuine callback of a running analysis, with a body over LIVE_RESULT_MAX_BYTES.
    const id = await started(stack, 'erin');
    const { callback } = [...stack.simulator.pictures.liveTasks.values()].at(-1)!;
    const huge = await request(callback, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(70 * 1024) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(((await huge.body.json()) as { error: { code: string } }).error.code).toBe('CALLBACK_TOO_LARGE');
    await stop(stack, 'erin', id);
    // After its end, its genuine callback is refused too.
    const late = await request(callback, { method: 'POST', body: '{"text":"late"}' });
    expect(late.statusCode).toBe(404);
    await late.body.dump();
  });

  it('keeps a result it cannot read for the operator, logs it once, and goes on', async () => {
    const id = await started(stack, 'dave', 'rtmp://cam.example.com/garbled/feed');
    const task = [...stack.simulator.pictures.liveTasks.values()].at(-1)!;
    await waitUntil(() => task.posted.length >= 3, 'three unreadable results posted');
    expect(task.posted.slice(0, 3)).toEqual([202, 202, 202]);
    const logged = stack.logs.filter((line) => line.includes('not JSON') && line.includes(id));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(`live-unreadable:${id}`);
    const watching = subscribeSse(stack.graphqlUrl, LiveAnalysisDocument, { id }, as('dave'));
    await watching.status;
    await stop(stack, 'dave', id);
    await watching.collected.ended();
    expect(watching.collected.events.map((event) => event.data!.liveAnalysis.state)).toEqual(['STOPPED']);
  });

  it('reads both documented answers to a start', async () => {
    const id = await started(stack, 'erin', `${CAMERA}?envelope=code`);
    const watching = subscribeSse(stack.graphqlUrl, LiveAnalysisDocument, { id }, as('erin'));
    await watching.collected.waitForEvents(1);
    await stop(stack, 'erin', id);
    await watching.collected.ended();
  });

  it("stops an owner's analysis, and empties its image library, when the owner is erased", async () => {
    const picture = await postOperationWithFile(stack.graphqlUrl, {
      document: UploadImageDocument,
      variables: {},
      fileName: 'carol.png',
      contentType: 'image/png',
      content: PICTURES.png(),
      headers: as('carol'),
    });
    expect(picture.json.data.uploadImage.imageId).toMatch(/^\d+$/);
    const id = await started(stack, 'carol');
    const watching = subscribeSse(stack.graphqlUrl, LiveAnalysisDocument, { id }, as('carol'));
    await watching.collected.waitForEvents(1);
    const erasure = await postGraphQL(
      stack.graphqlUrl,
      EraseOwnerDocument,
      { owner: { key: 'carol', user: null, tenant: null } },
      { authorization: `Bearer ${SERVICE_KEY}` },
    );
    expect(erasure.body.errors).toBeUndefined();
    await watching.collected.ended();
    expect(watching.collected.events.at(-1)!.data!.liveAnalysis).toMatchObject({
      state: 'STOPPED',
      stopReason: 'OWNER_ERASED',
    });
    expect(runningAtMavi(stack)).toBe(0);
    const [erased] = await receiver.waitFor(() => {
      const found = receiver
        .ofType('owner.erased')
        .filter((delivery) => (delivery.payload!.data.owner as { key?: string } | null)?.key === 'carol');
      return found.length > 0 && found;
    });
    expect(erased!.payload!.data).toMatchObject({ state: 'DONE', imagesDeleted: 1, liveAnalysesStopped: 1 });
    const images = await postGraphQL(stack.graphqlUrl, ImagesDocument, { first: 10, after: null }, as('carol'));
    expect(images.body.data!.images!.nodes).toEqual([]);
  });
});

describe.runIf(v1)('a live analysis that goes silent', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      simulator: { family: 'v1', liveResultIntervalMs: 50 },
      env: { ...KEYS, LIVE_SILENCE_TIMEOUT_MS: '400', LIVE_STREAMS_MAX: '1' },
      gateway: { resolveHost },
    });
  });
  afterAll(() => stack.stop());

  it('ends FAILED (SILENT), is stopped at MAVI, and gives its stream back', async () => {
    const id = await started(stack, 'alice', 'rtmp://cam.example.com/silent/feed');
    const watching = subscribeSse(stack.graphqlUrl, LiveAnalysisDocument, { id }, as('alice'));
    await watching.collected.ended();
    expect(watching.collected.events.at(-1)!.data!.liveAnalysis).toMatchObject({
      state: 'FAILED',
      stopReason: 'SILENT',
    });
    expect(runningAtMavi(stack)).toBe(0);
    // The one stream is free again.
    await stop(stack, 'bob', await started(stack, 'bob'));
  });

  it('ends the same way when MAVI stops sending (as when the credits run out)', async () => {
    const id = await started(stack, 'alice', 'rtmp://cam.example.com/ends-after-3/feed');
    const watching = subscribeSse(stack.graphqlUrl, LiveAnalysisDocument, { id }, as('alice'));
    await watching.collected.ended();
    const states = watching.collected.events.map((event) => event.data!.liveAnalysis.state);
    expect(states.at(-1)).toBe('FAILED');
    expect(states.slice(0, -1).every((state) => state === 'RUNNING')).toBe(true);
  });
});

describe.runIf(v1)('a live analysis across a restart', () => {
  it('goes on: the restarted gateway takes its results, replays the latest, and stops it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'live-restart-'));
    const port = await freePort();
    const env = { ...KEYS, DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
    const simulator = new TestSimulator({ family: 'v1', liveResultIntervalMs: 50, apiKey: TEST_MAVI_KEY });
    await simulator.start();
    try {
      const before = await startStack({ sharedSimulator: simulator, env, gateway: { resolveHost } });
      const id = await started(before, 'alice');
      const task = [...simulator.pictures.liveTasks.values()].at(-1)!;
      await waitUntil(() => task.posted.includes(200), 'a result taken before the restart');
      await before.stop();

      const after = await startStack({ sharedSimulator: simulator, env, gateway: { resolveHost } });
      const taken = task.posted.length;
      await waitUntil(() => task.posted.slice(taken).includes(200), 'a result taken after the restart');
      const watching = subscribeSse(after.graphqlUrl, LiveAnalysisDocument, { id }, as('alice'));
      await watching.collected.waitForEvents(1);
      expect(watching.collected.events[0]!.data!.liveAnalysis).toMatchObject({ analysisId: id, state: 'RUNNING' });
      await stop(after, 'alice', id);
      await watching.collected.ended();
      expect(task.running).toBe(false);
      await after.stop();
    } finally {
      await simulator.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.runIf(v1)("a signed-in user's live analysis", () => {
  const provider = new TestIdentityProvider();
  let stack: Stack;
  beforeAll(async () => {
    await provider.start();
    stack = await startTokenStack(provider, {
      simulator: { family: 'v1', liveResultIntervalMs: 50 },
      // A token's access ends at its `exp` exactly.
      env: { AUTH_CLOCK_TOLERANCE_SECONDS: '0' },
      gateway: { resolveHost },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await provider.stop();
  });

  const startWith = async (token: string) => {
    const answer = await postGraphQL(
      stack.graphqlUrl,
      StartLiveAnalysisDocument,
      { streamUrl: CAMERA, prompt: 'Who comes in?', systemPrompt: 'Answer in one line.' },
      bearer(token),
    );
    return answer.body.data!.startLiveAnalysis!.id;
  };

  it('stops when the token it was started with expires, unless followed with a later one', async () => {
    // Long enough to start with on a busy machine; the test then waits for it to pass.
    const expiry = Date.now() + 5_000;
    const left = await startWith(await provider.token('frank', { expiresIn: 5 }));
    const followed = await startWith(await provider.token('grace', { expiresIn: 5 }));
    // Grace follows hers with a token valid for an hour: her access goes on.
    const watching = subscribeSse(
      stack.graphqlUrl,
      LiveAnalysisDocument,
      { id: followed },
      bearer(await provider.token('grace')),
    );
    await watching.collected.waitForEvents(1);

    await waitUntil(() => Date.now() > expiry + 1_000, "the short tokens' expiry");
    await stack.gateway.parts.live.sweep();
    const byId = (id: string) => stack.gateway.parts.live.find({ ownerId: '', partition: '', adminOf: '' }, id);
    expect(await byId(left)).toMatchObject({ state: 'STOPPED', stopReason: 'ACCESS_ENDED' });
    expect((await byId(followed))!.state).toBe('RUNNING');
    watching.close();
    await stack.gateway.parts.live.stop({ ownerId: '', partition: '', adminOf: '' }, followed);
    expect(runningAtMavi(stack)).toBe(0);
  });
});

const hasRedis = v1 && (await requireRedis('test/e2e/pictures/live-analysis.test.ts'));

describe.runIf(hasRedis)('two instances on Redis', () => {
  const prefix = uniquePrefix();
  let first: Stack;
  let second: Stack;
  beforeAll(async () => {
    const env = {
      ...KEYS,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: prefix,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      LIVE_STREAMS_MAX: '2',
    };
    first = await startStack({ simulator: { family: 'v1', liveResultIntervalMs: 50 }, env, gateway: { resolveHost } });
    second = await startStack({ sharedSimulator: first.simulator, env, gateway: { resolveHost } });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await dropPrefix(prefix);
  });

  it('share the capacity, and each follows and stops what the other started', async () => {
    const alices = await started(first, 'alice');
    await started(first, 'bob');
    const refused = await start(second, 'carol');
    expect(refused.body.errors![0]!.extensions!.code).toBe('LIVE_CAPACITY_FULL');

    // Results come to the first instance; a subscriber on the second gets them.
    const watching = subscribeSse(second.graphqlUrl, LiveAnalysisDocument, { id: alices }, as('alice'));
    await watching.collected.waitForEvents(2);
    expect(watching.collected.events[1]!.data!.liveAnalysis.text).toMatch(/^Result/);

    await stop(second, 'alice', alices);
    await watching.collected.ended();
    expect(watching.collected.events.at(-1)!.data!.liveAnalysis.state).toBe('STOPPED');
    const carols = await started(second, 'carol');
    for (const stack of [first, second]) await stack.gateway.parts.live.sweep();
    expect(runningAtMavi(first)).toBe(2);
    await stop(first, 'carol', carols);
  });
});

describe.runIf(testFamily() === 'original')('the original family, which has no live streams', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: KEYS, gateway: { resolveHost } });
  });
  afterAll(() => stack.stop());

  it('refuses a start with UNSUPPORTED_BY_MAVI', async () => {
    const answer = await start(stack, 'alice');
    expect(answer.body.errors![0]!.extensions!.code).toBe('UNSUPPORTED_BY_MAVI');
    expect(answer.body.errors![0]!.message).toMatch(/MAVI_API=original/);
    expect(stack.simulator.pictures.liveTasks.size).toBe(0);
  });
});
