/**
 * Webhook ingest: callbacks for many videos sent as fast as 64 connections
 * allow; the rate at which the gateway accepted them, and how many were lost
 * (refused, or not reflected in the video's status afterwards).
 */
import { Agent, request } from 'undici';
import { startGatewayOn, startSimulator } from './lib/child.js';
import { callbackConnections, fireCallbacks, uploadVideos } from './lib/videos.js';

export interface IngestRow {
  callbacks: number;
  seconds: number;
  perSecond: number;
  lost: number;
}

/**
 * `env` chooses the store (STORE, SQLITE_SYNCHRONOUS); every 2xx is counted only if its status stuck.
 * `settled` resolves once what the uploads set going is done (with the app's webhooks on: every
 * `video.registered` delivered), so that the burst is measured alone.
 */
export async function benchWebhookIngest(
  count: number,
  env: Record<string, string> = {},
  settled: (videos: number) => Promise<void> = async () => {},
): Promise<IngestRow> {
  const simulator = await startSimulator();
  const gateway = await startGatewayOn(simulator, env);
  try {
    const videos = await uploadVideos(`${gateway.url}/graphql`, simulator, count);
    await settled(count);
    // Warm-up on a few videos (JIT), then the measured burst on the rest.
    const callbacks = await callbackConnections(gateway.url, 64);
    await fireCallbacks(videos.slice(0, 200), 'UNPARSE', callbacks);
    const { failed, seconds } = await fireCallbacks(videos, 'PARSE', callbacks);
    await callbacks.close();

    const dispatcher = new Agent({ connections: 32 });
    let notParsed = 0;
    const query = 'query ($v: ID!) { video(videoNo: $v) { status } }';
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < videos.length) {
          const video = videos[next++]!;
          const answer = await request(`${gateway.url}/graphql`, {
            method: 'POST',
            dispatcher,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query, variables: { v: video.videoNo } }),
          });
          const body = (await answer.body.json()) as { data?: { video?: { status: string } } };
          if (body.data?.video?.status !== 'PARSE') notParsed += 1;
        }
      }),
    );
    await dispatcher.close();
    return { callbacks: count, seconds, perSecond: count / seconds, lost: Math.max(failed, notParsed) };
  } finally {
    await gateway.child.stop();
    await simulator.child.stop();
  }
}
