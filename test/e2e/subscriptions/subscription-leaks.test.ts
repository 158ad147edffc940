/**
 * Nothing a subscription takes outlives its client, whatever the order of events:
 * SSE requests dropped right after sending or right after the response head,
 * `transcriptReady` cancelled before its first event, and websocket operation ids
 * reused in one burst. Each is repeated many times, then the open-subscriptions
 * gauge, the bus listeners and (on Redis) the subscribed channels are counted.
 */
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { print } from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatDocument, TranscriptReadyDocument, VideoStatusDocument } from '../../generated/operations.js';
import { subscribeSse } from '../../utils/graphql-clients.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from '../../utils/redis.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { ALICE, asAlice, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const hasRedis = await requireRedis('test/e2e/subscriptions/subscription-leaks.test.ts');
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const SSE_CAP = 5;

type StoreKind = 'sqlite' | 'redis';
const stores: StoreKind[] = hasRedis ? ['sqlite', 'redis'] : ['sqlite'];

describe.each(stores)('on the %s store', (storeKind) => {
  let stack: Stack;
  let prefix: string;
  let redis: Redis | undefined;
  let unprocessed: string;
  let parsed: string;

  beforeAll(async () => {
    prefix = uniquePrefix();
    stack = await startStack({
      simulator: { manualCallbacks: true, chatExtraPieces: 100_000, chatPieceDelayMs: 5 },
      env: {
        ...TWO_CLIENT_KEYS,
        METRICS_TOKEN,
        SSE_MAX_STREAMS_PER_CLIENT: String(SSE_CAP),
        RATE_LIMIT_CHAT_PER_MINUTE: '10000',
        RATE_LIMIT_TRANSCRIPT_PER_MINUTE: '10000',
        ...(storeKind === 'redis' ? { REDIS_URL, REDIS_PREFIX: prefix } : {}),
      },
    });
    if (storeKind === 'redis') redis = new Redis(REDIS_URL);
    unprocessed = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    parsed = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    await stack.simulator.setStatus(parsed, 'PARSE', { notify: true });
    await waitUntil(async () => (await stack.gateway.parts.status.get(parsed))?.status === 'PARSE', 'PARSE stored');
  });
  afterAll(async () => {
    await stack.stop();
    redis?.disconnect();
    if (storeKind === 'redis') await dropPrefix(prefix);
  });

  /** The open-subscriptions gauge of one transport, as /metrics shows it. */
  const openGauge = async (transport: 'sse' | 'websocket') => {
    const text = await (
      await fetch(`${stack.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`mavi_gateway_subscriptions_open{transport="${transport}"}`));
    return Number(line?.split(' ')[1] ?? 0);
  };
  /** Redis channels this gateway is subscribed to (none on SQLite, where the bus is in memory). */
  const channels = async () => (redis ? (await redis.pubsub('CHANNELS', `${prefix}*`)).length : 0);
  const allReleased = async () =>
    (await openGauge('sse')) === 0 &&
    (await openGauge('websocket')) === 0 &&
    stack.gateway.parts.events.size === 0 &&
    stack.gateway.parts.chats.streaming === 0 &&
    stack.simulator.chatStreams.open === 0 &&
    (await channels()) === 0;

  /** Sends an SSE subscription over a raw socket and drops it: right after sending, or at the response's first bytes. */
  const dropSse = (query: string, variables: Record<string, unknown>, when: 'sent' | 'head') =>
    new Promise<void>((resolve) => {
      const url = new URL(stack.graphqlUrl);
      const body = JSON.stringify({ query, variables });
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => undefined);
      socket.once('close', () => resolve());
      socket.write(
        `POST /graphql HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\naccept: text/event-stream\r\n` +
          `authorization: Bearer ${ALICE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        () => {
          if (when === 'sent') socket.destroy();
        },
      );
      if (when === 'head') socket.once('data', () => socket.destroy());
    });

  it('SSE subscriptions dropped right after sending or at the response head give back their slot and listeners', async () => {
    const kinds = [
      { query: print(VideoStatusDocument), variables: { videoNo: unprocessed } },
      { query: print(TranscriptReadyDocument), variables: { videoNo: unprocessed, kind: 'SPEECH' } },
      { query: print(ChatDocument), variables: { videoNos: [parsed], message: 'Go on', sessionId: null } },
    ];
    for (let round = 0; round < 20; round += 1) {
      await Promise.all(
        kinds.flatMap(({ query, variables }) => [dropSse(query, variables, 'sent'), dropSse(query, variables, 'head')]),
      );
    }
    await waitUntil(allReleased, 'every slot, listener and channel released', 30_000);
    // The per-client cap is whole again: SSE_CAP streams open at once.
    const open = Array.from({ length: SSE_CAP }, () =>
      subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo: unprocessed }, asAlice),
    );
    const firsts = await Promise.all(open.map((stream) => stream.collected.waitForEvents(1)));
    for (const events of firsts) expect(events[0]!.data?.videoStatus.status).toBe('UNPARSE');
    for (const stream of open) stream.close();
    await waitUntil(allReleased, 'released after closing', 30_000);
  });

  /** A websocket past connection_ack, with the frames it receives. */
  const openSocket = async () => {
    const socket = new WebSocket(stack.wsUrl, 'graphql-transport-ws');
    const frames: { id?: string; type: string }[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as { id?: string; type: string }));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ALICE}` } }));
    await waitUntil(() => frames.some((frame) => frame.type === 'connection_ack'), 'connection_ack');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    return { socket, frames, closed };
  };
  const subscribeFrame = (id: string, query: string, variables: Record<string, unknown>) =>
    JSON.stringify({ id, type: 'subscribe', payload: { query, variables } });

  it('transcriptReady completed at once, or its socket dropped, before its first event leaves no listener', async () => {
    for (let round = 0; round < 10; round += 1) {
      const { socket, closed } = await openSocket();
      const query = print(TranscriptReadyDocument);
      socket.send(subscribeFrame('a', query, { videoNo: unprocessed, kind: 'SPEECH' }));
      socket.send(JSON.stringify({ id: 'a', type: 'complete' }));
      socket.send(subscribeFrame('b', query, { videoNo: unprocessed, kind: 'VISUAL' }));
      socket.close();
      await closed;
    }
    await waitUntil(allReleased, 'every transcript listener released', 30_000);
  });

  it('an operation id reused in one burst (subscribe, complete, subscribe) keeps nothing alive after the socket', async () => {
    const operations = [
      { query: print(VideoStatusDocument), variables: { videoNo: unprocessed } },
      { query: print(ChatDocument), variables: { videoNos: [parsed], message: 'Tell me', sessionId: null } },
    ];
    for (const { query, variables } of operations) {
      for (let round = 0; round < 10; round += 1) {
        const { socket, frames, closed } = await openSocket();
        socket.send(subscribeFrame('1', query, variables));
        socket.send(JSON.stringify({ id: '1', type: 'complete' }));
        socket.send(subscribeFrame('1', query, variables));
        socket.close();
        await closed;
        // Whatever ran, ran once under that id: no event arrived twice.
        const nexts = frames.filter((frame) => frame.type === 'next' && frame.id === '1');
        expect(nexts.length).toBeLessThanOrEqual(1);
      }
    }
    await waitUntil(allReleased, 'every operation released', 30_000);
  });
});
