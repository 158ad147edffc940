/**
 * The whole loop, as a client sees it: upload, then MAVI's callbacks arrive as
 * `videoStatus` events, over graphql-ws and over SSE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoStatusDocument } from '../../generated/operations.js';
import { subscribeSse, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';

let stack: Stack;
beforeAll(async () => {
  // MAVI's callbacks are sent by the tests once their subscribers listen: nothing here races a clock.
  stack = await startStack({ simulator: { manualCallbacks: true } });
});
afterAll(() => stack.stop());

async function upload(): Promise<string> {
  const result = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(8192)) });
  return result.json.data.uploadVideo.videoNo;
}

/** MAVI calls back as it does for a video it processes: UNPARSE, then the final status. */
async function processAtMavi(videoNo: string, final: 'PARSE' | 'FAIL' = 'PARSE'): Promise<void> {
  await stack.simulator.setStatus(videoNo, 'UNPARSE', { notify: true });
  await stack.simulator.setStatus(videoNo, final, { notify: true });
}

const statuses = (events: { data?: { videoStatus: { status: string } } | null }[]) =>
  events.map((event) => event.data?.videoStatus.status);

describe('videoStatus delivers MAVI callbacks', () => {
  it('over graphql-ws', async () => {
    const videoNo = await upload();
    const client = wsClient(stack.wsUrl);
    const { collected } = subscribeWs(client, VideoStatusDocument, { videoNo });
    await collected.waitForEvents(1);
    await processAtMavi(videoNo);
    await collected.ended();
    expect(collected.error).toBeUndefined();
    expect(statuses(collected.events)).toEqual(['UNPARSE', 'PARSE']);
    const [first, last] = collected.events.map((event) => event.data!.videoStatus);
    expect(first!.videoNo).toBe(videoNo);
    expect(Date.parse(last!.receivedAt)).toBeGreaterThanOrEqual(Date.parse(first!.receivedAt));
    expect(stack.simulator.callbacks.filter((c) => c.videoNo === videoNo).map((c) => c.httpStatus)).toEqual([200, 200]);
    await client.dispose();
  });

  it('over SSE', async () => {
    const videoNo = await upload();
    const { collected, status } = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo });
    expect(await status).toBe(200);
    await collected.waitForEvents(1);
    await processAtMavi(videoNo);
    await collected.ended();
    expect(collected.error).toBeUndefined();
    expect(statuses(collected.events)).toEqual(['UNPARSE', 'PARSE']);
  });

  it('FAIL reaches subscribers too, and ends the subscription', async () => {
    const videoNo = await upload();
    const client = wsClient(stack.wsUrl);
    const { collected } = subscribeWs(client, VideoStatusDocument, { videoNo });
    await collected.waitForEvents(1);
    await processAtMavi(videoNo, 'FAIL');
    await collected.ended();
    expect(statuses(collected.events)).toEqual(['UNPARSE', 'FAIL']);
    await client.dispose();
  });

  it('many subscribers to one video each get every event', async () => {
    const videoNo = await upload();
    const client = wsClient(stack.wsUrl);
    const subscriptions = Array.from({ length: 20 }, () => subscribeWs(client, VideoStatusDocument, { videoNo }));
    const sse = Array.from({ length: 5 }, () => subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo }));
    const all = [...subscriptions, ...sse];
    await Promise.all(all.map(({ collected }) => collected.waitForEvents(1)));
    await processAtMavi(videoNo);
    for (const { collected } of all) {
      await collected.ended();
      expect(statuses(collected.events)).toEqual(['UNPARSE', 'PARSE']);
    }
    await client.dispose();
  });
});
