/**
 * `deleteVideos`: a client deletes its own videos, at MAVI (within its partition)
 * and in the gateway; open subscriptions end with VIDEO_DELETED; a repeat is
 * harmless; another client's videos are untouched and look like unknown ones.
 * Runs against both MAVI API families.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteVideosDocument, VideoDocument, VideoStatusDocument } from '../../generated/operations.js';
import { postGraphQL, subscribeSse, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { ALICE, asAlice, asBob, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    simulator: { manualCallbacks: true },
    env: TWO_CLIENT_KEYS,
  });
});
afterAll(() => stack.stop());

const upload = (headers: Record<string, string>) => uploadSmallVideo(stack.graphqlUrl, headers);

const deleteVideos = (videoNos: string[], headers: Record<string, string>) =>
  postGraphQL(stack.graphqlUrl, DeleteVideosDocument, { videoNos }, headers);

describe('deleteVideos', () => {
  it('deletes at MAVI and here; its callbacks are then refused; a repeat deletes nothing', async () => {
    const videoNo = await upload(asAlice);
    const callbackUri = stack.simulator.videos.get(videoNo)!.callbackUri!;

    const { body } = await deleteVideos([videoNo], asAlice);
    expect(body).toEqual({ data: { deleteVideos: { deleted: [videoNo] } } });
    expect(stack.simulator.videos.has(videoNo)).toBe(false);
    expect((await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo }, asAlice)).body.data?.video).toBeNull();
    expect((await stack.simulator.sendCallback(videoNo, 'PARSE', callbackUri)).httpStatus).toBe(404);

    const again = await deleteVideos([videoNo], asAlice);
    expect(again.body).toEqual({ data: { deleteVideos: { deleted: [] } } });
  });

  it('ends open subscriptions with VIDEO_DELETED, over SSE and websockets', async () => {
    const videoNo = await upload(asAlice);
    const sse = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo }, asAlice);
    const client = wsClient(stack.wsUrl, { authorization: `Bearer ${ALICE}` });
    const ws = subscribeWs(client, VideoStatusDocument, { videoNo });
    await Promise.all([sse.collected.waitForEvents(1), ws.collected.waitForEvents(1)]);

    await deleteVideos([videoNo], asAlice);
    for (const { collected } of [sse, ws]) {
      await collected.ended();
      expect(collected.completed).toBe(true);
      expect(collected.events.map((event) => event.data?.videoStatus?.status ?? null)).toEqual(['UNPARSE', null]);
      expect(collected.events[1]!.errors![0]!.extensions!.code).toBe('VIDEO_DELETED');
    }
    await client.dispose();
    expect(stack.gateway.parts.events.size).toBe(0);
  });

  it("leaves another client's video alone, answering exactly as for an unknown one", async () => {
    const videoNo = await upload(asAlice);
    const theirs = await deleteVideos([videoNo], asBob);
    const unknown = await deleteVideos(['mavi_video_000000000000000000'], asBob);
    expect(theirs).toEqual(unknown);
    expect(theirs.body).toEqual({ data: { deleteVideos: { deleted: [] } } });
    expect(stack.simulator.videos.has(videoNo)).toBe(true);
    expect((await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo }, asAlice)).body.data?.video?.videoNo).toBe(
      videoNo,
    );
  });

  it('when MAVI refuses, nothing is deleted here', async () => {
    const videoNo = await upload(asAlice);
    stack.simulator.deleteFault = { kind: 'busy' };
    try {
      const { body } = await deleteVideos([videoNo], asAlice);
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'MAVI_BUSY', retryable: true });
    } finally {
      stack.simulator.deleteFault = undefined;
    }
    expect((await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo }, asAlice)).body.data?.video?.videoNo).toBe(
      videoNo,
    );
    expect(stack.simulator.videos.has(videoNo)).toBe(true);
  });

  it('refuses more than 100 videos in one call, naming the limit', async () => {
    const videoNos = Array.from({ length: 101 }, (_, i) => `mavi_video_${i}`);
    const { body } = await deleteVideos(videoNos, asAlice);
    expect(body.errors![0]!.extensions!.code).toBe('INVALID_INPUT');
    expect(body.errors![0]!.message).toContain('At most 100 videos');
  });
});
