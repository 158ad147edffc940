/**
 * Cost control: search, chat and transcripts spend the operator's MAVI credits,
 * so each client has a budget per operation class and minute
 * (RATE_LIMIT_*_PER_MINUTE). A refusal is RATE_LIMITED with the seconds to wait,
 * and reaches nothing at MAVI. On Redis every instance spends one budget, and the
 * records behind chats and transcripts are shared too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  SearchVideosDocument,
  TranscriptDocument,
  VideosAndSearchDocument,
  type ChatSubscription,
} from '../../generated/operations.js';
import { postGraphQL, subscribeSse } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from '../../utils/redis.js';
import { startStack, TEST_MAVI_KEY, TEST_WEBHOOK_SECRET, type Stack } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { waitUntil } from '../../utils/wait.js';
import { ALICE, BOB, asAlice, asBob } from '../../utils/two-clients.js';

const hasRedis = await requireRedis('test/e2e/videos/cost-control.test.ts');

const limits = {
  GATEWAY_API_KEYS: `alice:${ALICE},bob:${BOB}`,
  RATE_LIMIT_SEARCH_PER_MINUTE: '2',
  RATE_LIMIT_CHAT_PER_MINUTE: '1',
  RATE_LIMIT_TRANSCRIPT_PER_MINUTE: '1',
};

const search = (stack: Stack, headers: Record<string, string>) =>
  postGraphQL(stack.graphqlUrl, SearchVideosDocument, { query: 'clip', first: 5 }, headers);

async function parsedVideo(stack: Stack, headers: Record<string, string>): Promise<string> {
  const result = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(1024)), headers });
  const videoNo: string = result.json.data.uploadVideo.videoNo;
  await stack.simulator.setStatus(videoNo, 'PARSE', { notify: true });
  await waitUntil(async () => (await stack.gateway.parts.status.get(videoNo))?.status === 'PARSE', 'PARSE stored');
  return videoNo;
}

function expectRateLimited(body: { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }) {
  const error = body.errors![0]!;
  expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
  const wait = error.extensions!.retryAfterSeconds as number;
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(60);
  expect(error.message).toContain('a minute. Retry in');
}

describe('an app-wide cap (RATE_LIMIT_APP_SEARCH_PER_MINUTE)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { ...limits, RATE_LIMIT_APP_SEARCH_PER_MINUTE: '3' } });
  });
  afterAll(() => stack.stop());

  it('refuses a client within its own budget once all clients together spent the app’s', async () => {
    expect((await search(stack, asAlice)).body.errors).toBeUndefined();
    expect((await search(stack, asAlice)).body.errors).toBeUndefined();
    expect((await search(stack, asBob)).body.errors).toBeUndefined();
    const before = stack.simulator.calls.get('search') ?? 0;
    const refused = await search(stack, asBob); // Bob has spent 1 of his 2: the app's 3 are gone
    expectRateLimited(refused.body);
    expect(refused.body.errors![0]!.message).toContain('for this app, all its users together');
    expect(stack.simulator.calls.get('search') ?? 0).toBe(before);
  });
});

describe('one instance', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ simulator: { manualCallbacks: true }, env: limits });
  });
  afterAll(() => stack.stop());

  it('refuses the search over budget, for that client only, before MAVI is asked', async () => {
    expect((await search(stack, asAlice)).body.errors).toBeUndefined();
    expect((await search(stack, asAlice)).body.errors).toBeUndefined();
    const searchesAtMavi = stack.simulator.calls.get('search');
    const refused = await search(stack, asAlice);
    expectRateLimited(refused.body);
    expect(refused.body.errors![0]!.message).toMatch(/^Too many search requests: at most 2 a minute/);
    expect(stack.simulator.calls.get('search')).toBe(searchesAtMavi);
    expect((await search(stack, asBob)).body.errors).toBeUndefined();

    // A refused field answers null with its error; the fields beside it still answer.
    const mixed = await postGraphQL(stack.graphqlUrl, VideosAndSearchDocument, { query: 'clip' }, asAlice);
    expect(mixed.body.data).toEqual({ videos: { nodes: [] }, searchVideos: null });
    expectRateLimited(mixed.body);
    expect(mixed.body.errors![0]!.path).toEqual(['searchVideos']);
  });

  it('each class has its own budget: chat and transcripts', async () => {
    const videoNo = await parsedVideo(stack, asAlice);
    const chat = () =>
      subscribeSse(stack.graphqlUrl, ChatDocument, { videoNos: [videoNo], message: 'Hi', sessionId: null }, asAlice);
    const first = chat();
    await first.collected.ended();
    expect(first.collected.events.at(-1)!.data!.chat.__typename).toBe('ChatDone');
    const second = chat();
    await second.collected.ended().catch(() => undefined);
    expectRateLimited(second.collected.events[0]!);
    expect(stack.simulator.chatStreams.opened).toBe(1);

    const transcript = () => postGraphQL(stack.graphqlUrl, TranscriptDocument, { videoNo, kind: 'SPEECH' }, asAlice);
    expect((await transcript()).body.errors).toBeUndefined();
    expectRateLimited((await transcript()).body);
  });
});

describe.skipIf(!hasRedis)('instances sharing Redis', () => {
  let simulator: TestSimulator;
  let a: Stack;
  let b: Stack;
  const prefix = uniquePrefix();
  beforeAll(async () => {
    simulator = new TestSimulator({ apiKey: TEST_MAVI_KEY, manualCallbacks: true });
    await simulator.start();
    const env = {
      ...limits,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      RATE_LIMIT_CHAT_PER_MINUTE: '10',
    };
    a = await startStack({ sharedSimulator: simulator, env });
    b = await startStack({ sharedSimulator: simulator, env });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await simulator.stop();
    await dropPrefix(prefix);
  });

  it('spend one budget: two searches on A leave none on B', async () => {
    expect((await search(a, asAlice)).body.errors).toBeUndefined();
    expect((await search(a, asAlice)).body.errors).toBeUndefined();
    expectRateLimited((await search(b, asAlice)).body);
    expect((await search(b, asBob)).body.errors).toBeUndefined();
  });

  it('share chat sessions: a conversation begun on A continues on B', async () => {
    const videoNo = await parsedVideo(a, asAlice);
    const first = subscribeSse(
      a.graphqlUrl,
      ChatDocument,
      { videoNos: [videoNo], message: 'One', sessionId: null },
      asAlice,
    );
    await first.collected.ended();
    const done = first.collected.events.at(-1)!.data!.chat as Extract<
      ChatSubscription['chat'],
      { __typename: 'ChatDone' }
    >;
    const second = subscribeSse(
      b.graphqlUrl,
      ChatDocument,
      { videoNos: [videoNo], message: 'Two', sessionId: done.sessionId },
      asAlice,
    );
    await second.collected.ended();
    const texts = second.collected.events
      .map((event) => event.data?.chat)
      .filter((event) => event?.__typename === 'ChatText');
    expect(texts[0]).toEqual({ __typename: 'ChatText', text: 'Turn 2: ' });
  });
});
