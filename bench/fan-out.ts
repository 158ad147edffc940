/**
 * Subscription fan-out: N subscribers spread over N/10 videos, one PARSE
 * callback per video fired together; latency from each callback POST to the
 * event at each subscriber, and how many never arrived. Also across instances:
 * subscribers on A, callbacks to B, Redis between them.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, startSimulator, type GatewayChild } from './lib/child.js';
import { cpuSeconds } from './lib/memory.js';
import { percentile } from './lib/stats.js';
import { openSubscribers, sseSubscriber, wsSubscriber, type Subscriber } from './lib/subscribers.js';
import { callbackConnections, fireCallbacks, uploadVideos } from './lib/videos.js';

export interface FanOutRow {
  scenario: string;
  subscribers: number;
  videos: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  lost: number;
  /** CPU time used during the burst (callbacks fired until the last event arrived), per process. */
  gatewayCpuMs: number;
  clientCpuMs: number;
  /** How long the burst took, wall clock. */
  burstMs: number;
  /** p99 of every repetition of this scenario, when it was repeated (bench/run.ts). */
  p99Runs?: number[];
}

export interface FanOutOptions {
  subscribers: number;
  transport: 'graphql-ws' | 'SSE';
  /** Subscribers on instance A, callbacks to instance B, sharing this Redis. */
  acrossInstancesRedisUrl?: string;
  /** More environment for the gateways (observability settings). */
  gatewayEnv?: Record<string, string>;
  /** Subscribers watching each video (10 unless told): 1 makes every subscription its own topic. */
  perVideo?: number;
}

const SUBSCRIBERS_PER_VIDEO = 10;

export async function benchFanOut(options: FanOutOptions): Promise<FanOutRow> {
  const simulator = await startSimulator();
  const common = {
    MAVI_API_KEY: simulator.apiKey,
    MAVI_BASE_URL: simulator.url,
    MAX_CONCURRENT_UPLOADS_PER_KEY: '64',
    ...options.gatewayEnv,
  };
  const gateways: GatewayChild[] = [];
  try {
    let subscribeTo: GatewayChild;
    if (options.acrossInstancesRedisUrl) {
      const redis = {
        REDIS_URL: options.acrossInstancesRedisUrl,
        REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}:`,
      };
      const b = await startGateway({ ...common, ...redis });
      const a = await startGateway({ ...common, ...redis, PUBLIC_URL: b.url }); // MAVI calls back to B
      gateways.push(a, b);
      subscribeTo = a;
    } else {
      subscribeTo = await startGateway(common);
      gateways.push(subscribeTo);
    }

    const perVideo = options.perVideo ?? SUBSCRIBERS_PER_VIDEO;
    const videoCount = Math.max(1, Math.ceil(options.subscribers / perVideo));
    const videos = await uploadVideos(`${subscribeTo.url}/graphql`, simulator, videoCount, 32);
    const wsUrl = `${subscribeTo.url.replace('http', 'ws')}/graphql`;
    const subscribers = await openSubscribers(options.subscribers, (index) => {
      const { videoNo } = videos[index % videos.length]!;
      return options.transport === 'SSE'
        ? sseSubscriber(`${subscribeTo.url}/graphql`, videoNo)
        : wsSubscriber(wsUrl, videoNo);
    });
    const callbackTarget = new URL(videos[0]!.callbackUri).origin;
    const dispatcher = await callbackConnections(callbackTarget);
    await sleep(500);

    const gatewayPids = gateways.map((gateway) => gateway.child.proc.pid!);
    const gatewayCpu = () => gatewayPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const cpuBefore = { gateway: gatewayCpu(), client: process.cpuUsage() };
    const burstStart = performance.now();
    const { sentAt } = await fireCallbacks(videos, 'PARSE', dispatcher);
    const deadline = performance.now() + 15_000;
    const arrived = (subscriber: Subscriber) => subscriber.received.has('PARSE');
    while (!subscribers.every(arrived) && performance.now() < deadline) await sleep(5);
    const burstMs = performance.now() - burstStart;
    const clientCpu = process.cpuUsage(cpuBefore.client);
    const gatewayCpuMs = (gatewayCpu() - cpuBefore.gateway) * 1000;

    const latencies = subscribers
      .filter(arrived)
      .map((subscriber) => subscriber.received.get('PARSE')! - sentAt.get(subscriber.videoNo)!);
    if (process.env.BENCH_PAUSE_AFTER_BURST) await sleep(Number(process.env.BENCH_PAUSE_AFTER_BURST)); // separates the burst in profiles
    for (const subscriber of subscribers) subscriber.close();
    await dispatcher.close();
    return {
      scenario: options.acrossInstancesRedisUrl
        ? `${options.transport}, across 2 instances (Redis)`
        : perVideo === SUBSCRIBERS_PER_VIDEO
          ? options.transport
          : `${options.transport}, ${perVideo} per video`,
      subscribers: options.subscribers,
      videos: videoCount,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      lost: subscribers.length - latencies.length,
      gatewayCpuMs,
      clientCpuMs: (clientCpu.user + clientCpu.system) / 1000,
      burstMs,
    };
  } finally {
    for (const gateway of gateways) await gateway.child.stop();
    await simulator.child.stop();
  }
}
