/**
 * Websocket subscribers that ask the same thing share one stream
 * (server/shared-subscriptions.ts): one bus listener per group, each event
 * executed once, yet every subscriber sees exactly what it would alone: the
 * current status first, every change, completion, its own refusals and quota,
 * and nothing of another caller's or another selection's stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DeleteVideosDocument, VideoStatusDocument } from '../../generated/operations.js';
import { postGraphQL, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { ALICE, asAlice, BOB, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    simulator: { manualCallbacks: true },
    env: TWO_CLIENT_KEYS,
  });
});
afterAll(() => stack.stop());

const upload = (headers: Record<string, string>) => uploadSmallVideo(stack.graphqlUrl, headers);

const statuses = (events: { data?: { videoStatus?: { status: string } } | null }[]) =>
  events.map((event) => event.data?.videoStatus?.status ?? null);

/** Resolves once the gateway's bus holds `count` listeners. */
async function listeners(count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (stack.gateway.parts.events.size !== count) {
    if (Date.now() > deadline) throw new Error(`bus listeners: ${stack.gateway.parts.events.size}, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A raw graphql-transport-ws socket: every frame it receives, as text, in order. */
async function rawSocket(
  key: string,
  wsUrl = stack.wsUrl,
): Promise<{ socket: WebSocket; frames: string[]; framesOf: (id: string) => string[] }> {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  const frames: string[] = [];
  socket.on('message', (data) => frames.push(String(data)));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } }));
  await until(() => frames.length > 0);
  expect(JSON.parse(frames.shift()!)).toEqual({ type: 'connection_ack' });
  const framesOf = (id: string) => frames.filter((frame) => (JSON.parse(frame) as { id?: string }).id === id);
  return { socket, frames, framesOf };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const QUERY = 'subscription ($videoNo: ID!) { videoStatus(videoNo: $videoNo) { videoNo status } }';
const subscribe = (id: string, videoNo: string, query = QUERY) =>
  JSON.stringify({ id, type: 'subscribe', payload: { query, variables: { videoNo } } });

describe('shared websocket subscriptions', () => {
  it('share one listener per caller, operation and video, and each subscriber gets every event, then complete', async () => {
    const videoNo = await upload(asAlice);
    const sockets = [wsClient(stack.wsUrl, asAlice), wsClient(stack.wsUrl, asAlice)];
    const subscriptions = [0, 1, 0, 1, 0].map((index) =>
      subscribeWs(sockets[index]!, VideoStatusDocument, { videoNo }),
    );
    await Promise.all(subscriptions.map(({ collected }) => collected.waitForEvents(1)));
    await listeners(1);

    await stack.simulator.sendCallback(videoNo, 'UNPARSE'); // not a change: nothing is sent
    await stack.simulator.sendCallback(videoNo, 'PARSE');
    for (const { collected } of subscriptions) {
      await collected.ended();
      expect(collected.completed).toBe(true);
      expect(statuses(collected.events)).toEqual(['UNPARSE', 'PARSE']);
      expect(collected.events[1]!.data!.videoStatus.videoNo).toBe(videoNo);
    }
    await listeners(0);
    await Promise.all(sockets.map((socket) => socket.dispose()));
  });

  it('a subscriber that joins later gets the latest status first, and one that leaves gets nothing more', async () => {
    const videoNo = await upload(asAlice);
    const { socket, framesOf } = await rawSocket(ALICE);
    socket.send(subscribe('early', videoNo));
    socket.send(subscribe('leaver', videoNo));
    await until(() => framesOf('early').length === 1 && framesOf('leaver').length === 1);

    socket.send(JSON.stringify({ id: 'leaver', type: 'complete' }));
    await stack.simulator.sendCallback(videoNo, 'FAIL');
    await until(() => framesOf('early').length === 3);
    socket.send(subscribe('late', videoNo));
    await until(() => framesOf('late').length === 2);

    const next = (status: string) => ({ type: 'next', payload: { data: { videoStatus: { videoNo, status } } } });
    expect(framesOf('early').map((frame) => JSON.parse(frame))).toEqual([
      { id: 'early', ...next('UNPARSE') },
      { id: 'early', ...next('FAIL') },
      { id: 'early', type: 'complete' },
    ]);
    // The frames are the bytes graphql-ws itself writes: id, type, payload.
    expect(framesOf('early')[1]).toBe(
      `{"id":"early","type":"next","payload":{"data":{"videoStatus":{"videoNo":"${videoNo}","status":"FAIL"}}}}`,
    );
    expect(framesOf('leaver').map((frame) => JSON.parse(frame))).toEqual([{ id: 'leaver', ...next('UNPARSE') }]);
    expect(framesOf('late').map((frame) => JSON.parse(frame))).toEqual([
      { id: 'late', ...next('FAIL') },
      { id: 'late', type: 'complete' },
    ]);
    await listeners(0);
    socket.close();
  });

  it('a subscriber joining while the group is live gets the status it has, then the changes', async () => {
    const videoNo = await upload(asAlice);
    const { socket, framesOf } = await rawSocket(ALICE);
    socket.send(subscribe('first', videoNo));
    await until(() => framesOf('first').length === 1);
    socket.send(subscribe('second', videoNo));
    await until(() => framesOf('second').length === 1);
    expect(JSON.parse(framesOf('second')[0]!).payload.data.videoStatus.status).toBe('UNPARSE');
    await listeners(1);

    await stack.simulator.sendCallback(videoNo, 'PARSE');
    await until(() => framesOf('second').length === 3);
    expect(framesOf('second').map((frame) => JSON.parse(frame).type)).toEqual(['next', 'next', 'complete']);
    socket.close();
  });

  it('different selections, and different callers, do not share', async () => {
    const videoNo = await upload(asAlice);
    const alice = await rawSocket(ALICE);
    const bob = await rawSocket(BOB);
    alice.socket.send(subscribe('short', videoNo));
    alice.socket.send(
      subscribe(
        'long',
        videoNo,
        'subscription ($videoNo: ID!) { videoStatus(videoNo: $videoNo) { status receivedAt } }',
      ),
    );
    bob.socket.send(subscribe('bob', videoNo));
    await until(() => alice.framesOf('short').length === 1 && alice.framesOf('long').length === 1);
    await until(() => bob.framesOf('bob').length === 2);
    await listeners(2); // Alice's two selections; Bob is refused before he listens

    expect(JSON.parse(bob.framesOf('bob')[0]!)).toMatchObject({
      id: 'bob',
      type: 'next',
      payload: { errors: [{ extensions: { code: 'VIDEO_NOT_FOUND' } }] },
    });
    expect(JSON.parse(bob.framesOf('bob')[1]!)).toEqual({ id: 'bob', type: 'complete' });
    await stack.simulator.sendCallback(videoNo, 'PARSE');
    await until(() => alice.framesOf('short').length === 3 && alice.framesOf('long').length === 3);
    expect(Object.keys(JSON.parse(alice.framesOf('long')[1]!).payload.data.videoStatus)).toEqual([
      'status',
      'receivedAt',
    ]);
    expect(Object.keys(JSON.parse(alice.framesOf('short')[1]!).payload.data.videoStatus)).toEqual([
      'videoNo',
      'status',
    ]);
    alice.socket.close();
    bob.socket.close();
  });

  it('a deleted video ends every shared subscriber with VIDEO_DELETED', async () => {
    const videoNo = await upload(asAlice);
    const client = wsClient(stack.wsUrl, asAlice);
    const subscriptions = [1, 2, 3].map(() => subscribeWs(client, VideoStatusDocument, { videoNo }));
    await Promise.all(subscriptions.map(({ collected }) => collected.waitForEvents(1)));
    await listeners(1);
    await postGraphQL(stack.graphqlUrl, DeleteVideosDocument, { videoNos: [videoNo] }, asAlice);
    for (const { collected } of subscriptions) {
      await collected.ended();
      expect(statuses(collected.events)).toEqual(['UNPARSE', null]);
      expect(collected.events[1]!.errors![0]!.extensions!.code).toBe('VIDEO_DELETED');
    }
    await listeners(0);
    await client.dispose();
  });

  it('closing the socket frees the group; the gateway keeps serving the same subscription afresh', async () => {
    const videoNo = await upload(asAlice);
    const first = await rawSocket(ALICE);
    first.socket.send(subscribe('1', videoNo));
    first.socket.send(subscribe('2', videoNo));
    await until(() => first.framesOf('2').length === 1);
    await listeners(1);
    first.socket.terminate();
    await listeners(0);

    const again = await rawSocket(ALICE);
    again.socket.send(subscribe('1', videoNo));
    await until(() => again.framesOf('1').length === 1);
    await stack.simulator.sendCallback(videoNo, 'PARSE');
    await until(() => again.framesOf('1').length === 3);
    again.socket.close();
  });
});

describe('shared subscriptions keep per-subscriber limits', () => {
  it('each joining subscriber spends its own operation turn: over quota it is refused, the group is untouched', async () => {
    const limited = await startStack({
      simulator: { manualCallbacks: true },
      env: { ...TWO_CLIENT_KEYS, OPERATIONS_PER_MINUTE: '3' },
    });
    try {
      const videoNo = await uploadSmallVideo(limited.graphqlUrl, asAlice); // turn 1
      const { socket, framesOf } = await rawSocket(ALICE, limited.wsUrl);
      for (const id of ['a', 'b', 'c']) socket.send(subscribe(id, videoNo)); // turns 2, 3, then none left
      await until(() => ['a', 'b', 'c'].every((id) => framesOf(id).length >= 1));
      expect(JSON.parse(framesOf('c')[0]!).payload.errors[0].extensions.code).toBe('RATE_LIMITED');
      await until(() => framesOf('c').length === 2);
      expect(JSON.parse(framesOf('c')[1]!)).toEqual({ id: 'c', type: 'complete' });

      await limited.simulator.sendCallback(videoNo, 'PARSE');
      await until(() => framesOf('a').length === 3 && framesOf('b').length === 3);
      expect(framesOf('c')).toHaveLength(2);
      socket.close();
    } finally {
      await limited.stop();
    }
  });
});
