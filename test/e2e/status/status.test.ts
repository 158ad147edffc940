/**
 * Never lose or fake a status: replay on subscribe, completion after a final
 * status, idempotent and ordered transitions, per-upload callback tokens, and the
 * callback that beats the upload answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDocument, VideoStatusDocument } from '../../generated/operations.js';
import { postGraphQL, subscribeSse, subscribeWs, wsClient, type Collected } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { ManualClock } from '../../utils/manual-clock.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { testFamily } from '../../utils/family.js';
import { waitUntil } from '../../utils/wait.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ simulator: { manualCallbacks: true } });
});
afterAll(() => stack.stop());

async function upload(target: Stack = stack) {
  const result = await uploadVideo(target.graphqlUrl, { content: await collect(videoFile(4096)) });
  expect(result.json.errors).toBeUndefined();
  return result.json.data.uploadVideo as { videoNo: string; status: string };
}

async function storedStatus(videoNo: string, target: Stack = stack) {
  const { body } = await postGraphQL(target.graphqlUrl, VideoDocument, { videoNo });
  return body.data?.video?.status;
}

const statuses = (collected: Collected<{ videoStatus: { status: string } }>) =>
  collected.events.map((event) => event.data?.videoStatus.status);

/** Subscribes over both transports at once. */
function subscribeBoth(videoNo: string) {
  const client = wsClient(stack.wsUrl);
  const ws = subscribeWs(client, VideoStatusDocument, { videoNo });
  const sse = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo });
  return {
    transports: [
      { name: 'graphql-ws', collected: ws.collected },
      { name: 'SSE', collected: sse.collected },
    ],
    close: async () => {
      sse.close();
      await client.dispose();
    },
  };
}

describe('videoStatus replays, then completes', () => {
  it('a subscriber that comes after the PARSE callback still gets PARSE, then completion', async () => {
    const { videoNo } = await upload();
    await stack.simulator.sendCallback(videoNo, 'UNPARSE');
    await stack.simulator.sendCallback(videoNo, 'PARSE');

    const both = subscribeBoth(videoNo);
    for (const { name, collected } of both.transports) {
      await collected.ended();
      expect(collected.completed, name).toBe(true);
      expect(statuses(collected), name).toEqual(['PARSE']);
    }
    await both.close();
  });

  it('the first event is the current status, then one event per change, then completion', async () => {
    const { videoNo } = await upload();
    const both = subscribeBoth(videoNo);
    for (const { collected } of both.transports) await collected.waitForEvents(1);

    await stack.simulator.sendCallback(videoNo, 'UNPARSE');
    await stack.simulator.sendCallback(videoNo, 'FAIL');
    for (const { name, collected } of both.transports) {
      await collected.ended();
      expect(statuses(collected), name).toEqual(['UNPARSE', 'FAIL']);
      expect(collected.completed, name).toBe(true);
    }
    await both.close();
  });

  it('an unknown videoNo fails with VIDEO_NOT_FOUND', async () => {
    const both = subscribeBoth('mavi_video_000000000000000000');
    for (const { name, collected } of both.transports) {
      await collected.ended();
      expect(collected.events, name).toHaveLength(1);
      expect(collected.events[0]!.errors![0], name).toMatchObject({ extensions: { code: 'VIDEO_NOT_FOUND' } });
      expect(collected.events[0]!.data ?? null, name).toBeNull();
    }
    await both.close();
  });

  it('Query.video answers from the store, and null for an unknown video', async () => {
    const { videoNo } = await upload();
    const { body } = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo });
    expect(body.data?.video).toMatchObject({ videoNo, videoName: 'clip.mp4', status: 'UNPARSE' });
    const unknown = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo: 'mavi_video_000000000000000001' });
    expect(unknown.body).toEqual({ data: { video: null } });
  });
});

describe('transitions', () => {
  it('duplicate and out-of-order callbacks emit one event per real change', async () => {
    const { videoNo } = await upload();
    const client = wsClient(stack.wsUrl);
    const { collected } = subscribeWs(client, VideoStatusDocument, { videoNo });
    await collected.waitForEvents(1);

    const answers = [];
    for (const status of ['UNPARSE', 'UNPARSE', 'PARSE', 'PARSE', 'UNPARSE', 'FAIL'] as const) {
      answers.push((await stack.simulator.sendCallback(videoNo, status)).httpStatus);
    }
    expect(answers).toEqual([200, 200, 200, 200, 200, 200]);
    await collected.ended();
    expect(statuses(collected)).toEqual(['UNPARSE', 'PARSE']);
    expect(await storedStatus(videoNo)).toBe('PARSE');
    await client.dispose();
  });

  it('a terminal status sticks: FAIL is not overwritten by PARSE or UNPARSE', async () => {
    const { videoNo } = await upload();
    await stack.simulator.sendCallback(videoNo, 'FAIL');
    expect(await storedStatus(videoNo)).toBe('FAIL');
    await stack.simulator.sendCallback(videoNo, 'PARSE');
    await stack.simulator.sendCallback(videoNo, 'UNPARSE');
    expect(await storedStatus(videoNo)).toBe('FAIL');
  });
});

describe('authentic callbacks', () => {
  it("a genuine token cannot change another upload's video", async () => {
    const a = await upload();
    const b = await upload();
    const tokenOfA = stack.simulator.videos.get(a.videoNo)!.callbackUri!;
    const client = wsClient(stack.wsUrl);
    const { collected } = subscribeWs(client, VideoStatusDocument, { videoNo: b.videoNo });
    await collected.waitForEvents(1);

    const delivery = await stack.simulator.sendCallback(b.videoNo, 'PARSE', tokenOfA);
    expect(delivery.httpStatus).toBe(403);
    expect(await storedStatus(b.videoNo)).toBe('UNPARSE');
    expect(await storedStatus(a.videoNo)).toBe('UNPARSE');

    await stack.simulator.sendCallback(b.videoNo, 'FAIL');
    await collected.ended();
    expect(statuses(collected)).toEqual(['UNPARSE', 'FAIL']);
    await client.dispose();
  });

  it('a token of this gateway whose upload is unknown here is refused', async () => {
    const { gateway } = stack;
    const { token } = gateway.parts.tokens.mint();
    const response = await fetch(`${stack.url}/webhooks/mavi/${token}`, {
      method: 'POST',
      body: JSON.stringify({ videoNo: 'mavi_video_1', clientId: 'c', status: 'PARSE' }),
    });
    expect(response.status).toBe(404);
  });
});

describe('a callback that beats the upload answer', () => {
  it('is held and applied once the upload is bound to its videoNo', async () => {
    const racing = await startStack({
      simulator: { unparseCallbackDelayMs: 5, parseDelayMs: 40, answerDelayMs: 400 },
    });
    try {
      const video = await upload(racing);
      const deliveries = racing.simulator.callbacks.filter((c) => c.videoNo === video.videoNo);
      // Both callbacks reached the gateway before the upload answer did.
      expect(deliveries.map((d) => [d.status, d.httpStatus])).toEqual([
        ['UNPARSE', 202],
        ['PARSE', 202],
      ]);
      expect(video.status).toBe('PARSE');

      const client = wsClient(racing.wsUrl);
      const { collected } = subscribeWs(client, VideoStatusDocument, { videoNo: video.videoNo });
      await collected.ended();
      expect(statuses(collected)).toEqual(['PARSE']);
      await client.dispose();
    } finally {
      await racing.stop();
    }
  });
});

describe('polling fallback', () => {
  it('with no PUBLIC_URL, learns each status from searchDB and stops polling once it is final', async () => {
    const clock = new ManualClock();
    const polling = await startStack({
      simulator: { manualCallbacks: true },
      env: { STATUS_POLL_INTERVAL_MS: '100' },
      gateway: { callbackToSelf: false, polling: { clock } },
    });
    try {
      expect(polling.logs.join('\n')).toContain('PUBLIC_URL is not set, so MAVI cannot call back');
      const video = await upload(polling);
      expect(polling.simulator.videos.get(video.videoNo)!.callbackUri).toBeUndefined();

      const client = wsClient(polling.wsUrl);
      const { collected } = subscribeWs(client, VideoStatusDocument, { videoNo: video.videoNo });
      await collected.waitForEvents(1);
      await polling.simulator.setStatus(video.videoNo, 'PARSE');
      await clock.tick();
      await collected.ended();
      expect(statuses(collected)).toEqual(['UNPARSE', 'PARSE']);
      await client.dispose();

      const callsAfterFinal = polling.simulator.stats.searchDbCalls;
      expect(callsAfterFinal).toBe(1);
      // Rounds go on, but nothing is pending: MAVI is not asked again.
      await clock.tick();
      await clock.tick();
      expect(polling.simulator.stats.searchDbCalls).toBe(callsAfterFinal);
    } finally {
      await polling.stop();
    }
  });

  // The successor family looks statuses up one video at a time (get_metadata): it has no pages.
  it.skipIf(testFamily() === 'v1')(
    'pages through searchDB and finds videos beyond the first page (the original family)',
    async () => {
      const polling = await startStack({
        simulator: { manualCallbacks: true },
        env: { STATUS_POLL_INTERVAL_MS: '100' },
        gateway: { callbackToSelf: false, polling: { pageSize: 2 } },
      });
      try {
        const videos = [];
        for (let i = 0; i < 5; i += 1) videos.push(await upload(polling));
        for (const video of videos) await polling.simulator.setStatus(video.videoNo, 'FAIL');
        for (const video of videos)
          await waitUntil(async () => (await storedStatus(video.videoNo, polling)) === 'FAIL');
      } finally {
        await polling.stop();
      }
    },
  );

  it('with PUBLIC_URL, polls a video that has had no callback for a while', async () => {
    const stale = await startStack({
      simulator: { manualCallbacks: true },
      env: { STATUS_POLL_INTERVAL_MS: '100' },
      gateway: { polling: { staleAfterMs: 300 } },
    });
    try {
      const video = await upload(stale);
      await stale.simulator.setStatus(video.videoNo, 'PARSE'); // the callback never comes
      await waitUntil(async () => (await storedStatus(video.videoNo, stale)) === 'PARSE');
    } finally {
      await stale.stop();
    }
  });

  it('backs off while MAVI answers busy: the period doubles round by round', async () => {
    const clock = new ManualClock();
    const busy = await startStack({
      simulator: { manualCallbacks: true, searchBusy: true },
      env: { STATUS_POLL_INTERVAL_MS: '100' },
      gateway: { callbackToSelf: false, polling: { clock } },
    });
    try {
      await upload(busy);
      for (let round = 0; round < 4; round += 1) await clock.tick();
      // One look-up a round, each answered busy: the next round comes twice as late.
      expect(busy.simulator.stats.searchDbCalls).toBe(4);
      expect(clock.delays).toEqual([100, 200, 400, 800, 1600]);
      expect(busy.logs.join('\n')).toContain('polling backs off');
    } finally {
      await busy.stop();
    }
  });
});
