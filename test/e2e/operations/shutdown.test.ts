/**
 * Graceful shutdown: no new connections, uploads under way finish (within the
 * timeout), subscriptions complete, websockets close with 1001.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { VideoStatusDocument } from '../../generated/operations.js';
import { subscribeSse, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack } from '../../utils/stack.js';
import { waitUntil } from '../../utils/wait.js';

/** A client that sends `total` bytes in 64 KiB chunks, pausing between them. */
async function* slowly(total: number, pauseMs: number): AsyncGenerator<Buffer> {
  for await (const chunk of videoFile(total, 64 * 1024)) {
    yield chunk;
    await sleep(pauseMs);
  }
}

describe('graceful shutdown', () => {
  it('lets an upload under way finish, completes subscriptions, closes websockets with 1001', async () => {
    const stack = await startStack({ simulator: { manualCallbacks: true } });
    const first = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
    const { videoNo } = first.json.data.uploadVideo;

    const client = wsClient(stack.wsUrl);
    let closeCode: number | undefined;
    client.on('closed', (event) => {
      closeCode = (event as { code: number }).code;
    });
    const ws = subscribeWs(client, VideoStatusDocument, { videoNo });
    const sse = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo });
    await ws.collected.waitForEvents(1);
    await sse.collected.waitForEvents(1);

    const size = 2 * 1024 * 1024;
    let stopping: Promise<void> | undefined;
    const upload = uploadVideo(stack.graphqlUrl, {
      content: slowly(size, 10),
      onProgress: (written) => {
        if (!stopping && written > 256 * 1024) stopping = stack.gateway.stop();
      },
    });

    const result = await upload;
    expect(stopping).toBeDefined();
    expect(result.status).toBe(200);
    expect(result.json.errors).toBeUndefined();
    expect(stack.simulator.videos.get(result.json.data.uploadVideo.videoNo)!.bytes).toBe(size);

    await stopping;
    await ws.collected.ended();
    await sse.collected.ended();
    expect(ws.collected.completed).toBe(true);
    expect(sse.collected.completed).toBe(true);
    expect(closeCode).toBe(1001);
    await expect(fetch(`${stack.url}/health`)).rejects.toThrow();
    await client.dispose();
    await stack.simulator.stop();
  });

  it('cuts an upload that outlasts SHUTDOWN_TIMEOUT_MS, and MAVI registers nothing', async () => {
    const stack = await startStack({ simulator: { manualCallbacks: true }, env: { SHUTDOWN_TIMEOUT_MS: '200' } });
    const abortedBefore = stack.simulator.stats.abortedUploads;
    let stopping: Promise<void> | undefined;
    const upload = uploadVideo(stack.graphqlUrl, {
      content: slowly(8 * 1024 * 1024, 20), // ~2.5 s
      onProgress: (written) => {
        if (!stopping && written > 128 * 1024) stopping = stack.gateway.stop();
      },
    });
    const outcome = await upload.then(
      (result) => result.status,
      () => 'connection closed',
    );
    expect(outcome).not.toBe(200);
    await stopping;
    await waitUntil(() => stack.simulator.stats.abortedUploads > abortedBefore);
    expect(stack.simulator.videos.size).toBe(0);
    expect(stack.logs.join('\n')).toContain('shutdown timeout: cutting uploads still in flight');
    await stack.simulator.stop();
  });
});
