/**
 * `videos`: how long one page takes when a client has thousands of videos, on
 * each store. The list is answered from the store alone, so this is the store's
 * index at work: pages walked from the newest to the oldest, a status filter
 * that half the videos pass, and a name filter that none pass (the worst case:
 * SQLite and memory scan the client's rows; Redis reads at most 5,000 entries
 * per page and answers a shorter page with a cursor).
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { startGatewayOn, startSimulator } from './lib/child.js';
import { percentile } from './lib/stats.js';
import { uploadVideos } from './lib/videos.js';

export interface ListRow {
  store: string;
  videos: number;
  case: string;
  pages: number;
  p50Ms: number;
  p99Ms: number;
}

const QUERY =
  'query ($after: String, $status: VideoStatus, $name: String) { videos(first: 20, after: $after, status: $status, nameContains: $name) { nodes { videoNo videoName status } pageInfo { hasNextPage endCursor } } }';

export async function benchVideoList(videos: number, store: string, env: Record<string, string>): Promise<ListRow[]> {
  const simulator = await startSimulator();
  const gateway = await startGatewayOn(simulator, env);
  const dispatcher = new Agent({ connections: 1 });
  try {
    const uploaded = await uploadVideos(`${gateway.url}/graphql`, simulator, videos);
    // Half the videos reach PARSE (the simulator's callbacks for the rest are dropped).
    await Promise.all(
      uploaded.slice(0, videos / 2).map(async (video) => {
        const answer = await request(video.callbackUri, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ videoNo: video.videoNo, status: 'PARSE' }),
        });
        await answer.body.dump();
      }),
    );

    const page = async (variables: Record<string, unknown>) => {
      const started = performance.now();
      const answer = await request(`${gateway.url}/graphql`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY, variables }),
      });
      const body = (await answer.body.json()) as {
        data?: { videos: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
        errors?: unknown;
      };
      if (!body.data) throw new Error(`videos failed: ${JSON.stringify(body.errors)}`);
      return { ms: performance.now() - started, info: body.data.videos.pageInfo };
    };
    const walk = async (label: string, filters: Record<string, unknown>, maxPages: number): Promise<ListRow> => {
      for (let warm = 0; warm < 20; warm += 1) await page(filters); // JIT
      const times: number[] = [];
      let after: string | null = null;
      do {
        const { ms, info } = await page({ ...filters, after });
        times.push(ms);
        after = info.hasNextPage ? info.endCursor : null;
      } while (after && times.length < maxPages);
      return {
        store,
        videos,
        case: label,
        pages: times.length,
        p50Ms: percentile(times, 50),
        p99Ms: percentile(times, 99),
      };
    };
    return [
      await walk('every page, newest first', {}, 10_000),
      await walk('status: PARSE', { status: 'PARSE' }, 10_000),
      await walk('nameContains with no match', { name: 'no-such-name' }, 200),
    ];
  } finally {
    await dispatcher.close();
    await gateway.child.stop();
    await simulator.child.stop();
  }
}

/** The stores compared: each one instance can use, and Redis. */
export function listStores(redisUrl: string): { store: string; env: Record<string, string> }[] {
  return [
    { store: 'SQLite', env: { STORE: 'sqlite' } },
    { store: 'memory', env: { STORE: 'memory' } },
    {
      store: 'Redis',
      env: {
        REDIS_URL: redisUrl,
        REDIS_PREFIX: `bench-list-${Date.now()}:`,
        WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
      },
    },
  ];
}

// `npx tsx bench/video-list.ts [videos]`: this benchmark alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const videos = Number(process.argv[2] ?? 5000);
  for (const { store, env } of listStores(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379')) {
    for (const row of await benchVideoList(videos, store, env)) {
      console.log(
        `${row.store}\t${row.videos}\t${row.case}\t${row.pages} pages\tp50 ${row.p50Ms.toFixed(2)} ms\tp99 ${row.p99Ms.toFixed(2)} ms`,
      );
    }
  }
}
