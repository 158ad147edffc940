/**
 * `videoEvents`: one subscription for every change of every video one can see, the same events
 * as the webhooks, resumable from a cursor so that nothing is missed across a reconnect. A
 * client's dashboard sees its own videos; the app's service key sees all. Over graphql-ws and SSE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoEventsDocument } from '../../generated/operations.js';
import { subscribeSse, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { ALICE, asAlice, asBob, uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const SERVICE_KEY = 'service-key-for-video-events-0001';
const BOB_KEY = 'client-key-bbbbbbbbbbbbbbbbbbbb';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    simulator: { manualCallbacks: true },
    env: { GATEWAY_API_KEYS: `alice:${ALICE},bob:${BOB_KEY}`, GATEWAY_SERVICE_KEYS: `backend:${SERVICE_KEY}` },
  });
});
afterAll(() => stack.stop());

const typesOf = (events: { data?: { videoEvents: { type: string; videoNo: string } } | null }[], videoNo: string) =>
  events.filter((e) => e.data?.videoEvents.videoNo === videoNo).map((e) => e.data!.videoEvents.type);

describe('videoEvents', () => {
  it("a client's dashboard hears its own videos' events only; the service key hears everyone's", async () => {
    const client = wsClient(stack.wsUrl, { authorization: `Bearer ${ALICE}` });
    const alices = subscribeWs(client, VideoEventsDocument, { after: null });
    const service = subscribeSse(
      stack.graphqlUrl,
      VideoEventsDocument,
      { after: null },
      {
        authorization: `Bearer ${SERVICE_KEY}`,
      },
    );
    expect(await service.status).toBe(200);
    // Both listen (each subscription fixes its cursor before it listens): what follows is theirs.
    await waitUntil(() => stack.gateway.parts.status.logSignals.size === 2, 'both subscriptions listen');
    const first = await uploadSmallVideo(stack.graphqlUrl, asAlice);

    const bobs = await uploadSmallVideo(stack.graphqlUrl, asBob);
    await stack.simulator.sendCallback(first, 'PARSE');
    await stack.simulator.sendCallback(bobs, 'FAIL');
    await alices.collected.waitForEvents(3);
    await service.collected.waitForEvents(6);

    expect(typesOf(alices.collected.events, first)).toEqual([
      'video.registered',
      'video.status_changed',
      'video.ready',
    ]);
    expect(typesOf(alices.collected.events, bobs)).toEqual([]);
    expect(typesOf(service.collected.events, bobs)).toEqual([
      'video.registered',
      'video.status_changed',
      'video.failed',
    ]);
    const changed = alices.collected.events[1]!.data!.videoEvents;
    expect(changed).toMatchObject({
      status: 'PARSE',
      previousStatus: 'UNPARSE',
      video: { videoNo: first, owner: null },
    });
    const seenByService = service.collected.events.find((e) => e.data?.videoEvents.videoNo === bobs)!;
    expect(seenByService.data!.videoEvents.video!.owner).toEqual({ user: null, key: 'bob' });

    alices.unsubscribe();
    service.close();
    await client.dispose();
    await waitUntil(() => stack.gateway.parts.status.logSignals.size === 0, 'every listener released');
  });

  it('resumes after a cursor: what happened while disconnected comes first, nothing twice', async () => {
    const client = wsClient(stack.wsUrl, { authorization: `Bearer ${ALICE}` });
    const before = subscribeWs(client, VideoEventsDocument, { after: null });
    await waitUntil(() => stack.gateway.parts.status.logSignals.size === 1, 'the subscription listens');
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    const [registered] = await before.collected.waitForEvents(1);
    before.unsubscribe();
    await waitUntil(() => stack.gateway.parts.status.logSignals.size === 0, 'the first subscription ended');

    // While nobody listens.
    await stack.simulator.sendCallback(videoNo, 'PARSE');
    const cursor = registered!.data!.videoEvents.cursor;
    const after = subscribeWs(client, VideoEventsDocument, { after: cursor });
    await after.collected.waitForEvents(2);
    expect(typesOf(after.collected.events, videoNo)).toEqual(['video.status_changed', 'video.ready']);
    after.unsubscribe();
    await client.dispose();
  });

  it('refuses a cursor it never gave, naming the argument', async () => {
    const sse = subscribeSse(stack.graphqlUrl, VideoEventsDocument, { after: 'not-a-cursor' }, asAlice);
    await sse.collected.ended();
    const message = JSON.stringify(sse.collected.events);
    expect(message).toMatch(/INVALID_INPUT/);
    expect(message).toMatch(/after is not a cursor/);
  });
});
