/** Videos to watch: uploaded through a gateway, with the callback URIs the simulator was given. */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import type { SimulatorChild } from './child.js';
import { uploadThroughGateway } from './upload-client.js';

export interface Video {
  videoNo: string;
  callbackUri: string;
}

export async function uploadVideos(
  graphqlUrl: string,
  simulator: SimulatorChild,
  count: number,
  concurrency = 16,
): Promise<Video[]> {
  const videoNos: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const result = await uploadThroughGateway(graphqlUrl, 4096);
      const videoNo = /"videoNo":"([^"]+)"/.exec(result.body)?.[1];
      if (!videoNo) throw new Error(`upload failed: ${result.body.slice(0, 200)}`);
      videoNos.push(videoNo);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const answer = await request(`${simulator.url}/__simulator/videos`);
  const all = (await answer.body.json()) as { videoNo: string; callbackUri: string }[];
  const uris = new Map(all.map((video) => [video.videoNo, video.callbackUri]));
  return videoNos.map((videoNo) => ({ videoNo, callbackUri: uris.get(videoNo)! }));
}

/** Video numbers in MAVI's form that no MAVI made, for servers that store nothing (the fair floors). */
export function madeUpVideoNos(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `mavi_video_${554046065381212160n + BigInt(index)}`);
}

/** Keep-alive connections for callbacks, opened before a burst so that it measures delivery, not TCP setup. */
export async function callbackConnections(baseUrl: string, connections = 128): Promise<Agent> {
  const dispatcher = new Agent({ connections, pipelining: 1 });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const answer = await request(`${baseUrl}/health`, { dispatcher });
      await answer.body.dump();
    }),
  );
  return dispatcher;
}

/** MAVI's callbacks for every video, fired together; returns when each was sent (performance.now()). */
export async function fireCallbacks(
  videos: Video[],
  status: string,
  dispatcher: Agent,
): Promise<{ sentAt: Map<string, number>; failed: number; seconds: number }> {
  const sentAt = new Map<string, number>();
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    videos.map(async (video) => {
      sentAt.set(video.videoNo, performance.now());
      try {
        const answer = await request(video.callbackUri, {
          method: 'POST',
          dispatcher,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ videoNo: video.videoNo, clientId: 'bench', status }),
        });
        await answer.body.dump();
        if (answer.statusCode >= 300) failed += 1;
      } catch {
        failed += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { sentAt, failed, seconds };
}
