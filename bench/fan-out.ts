/**
 * Subscription fan-out: N subscribers spread over N/10 videos, one PARSE
 * callback per video fired together; latency from each callback POST to the
 * event at each subscriber, and how many never arrived. Also across instances:
 * subscribers on A, callbacks to B, Redis between them.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFanOutFloor, startGateway, startSimulator, type Child, type GatewayChild } from './lib/child.js';
import { cpuSeconds } from './lib/memory.js';
import { inspectorUrlOf } from './lib/inspector.js';
import { profileDir, profilePhase, profilingArgs } from './lib/profile.js';
import { percentile } from './lib/stats.js';
import { openSubscribers, sseSubscriber, wsSubscriber, type Subscriber } from './lib/subscribers.js';
import { callbackConnections, fireCallbacks, madeUpVideoNos, uploadVideos, type Video } from './lib/videos.js';

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
  /** The gateway (the default), or the fair floor that does only what any server in its place must. */
  server?: 'gateway' | 'fair floor';
}

const SUBSCRIBERS_PER_VIDEO = 10;

/** What a scenario runs against: the gateway's processes, or the fair floor's. */
interface Target {
  /** Where subscribers connect. */
  subscribeUrl: string;
  videos: Video[];
  pids: number[];
  /** Each gateway's inspector, when BENCH_PROFILE_DIR asks for profiles of the burst. */
  inspectors: (string | undefined)[];
  stop(): Promise<void>;
}

async function gatewayTarget(options: FanOutOptions, videoCount: number): Promise<Target> {
  const simulator = await startSimulator();
  const common = {
    MAVI_API_KEY: simulator.apiKey,
    MAVI_BASE_URL: simulator.url,
    MAX_CONCURRENT_UPLOADS_PER_KEY: '64',
    ...options.gatewayEnv,
  };
  const gateways: GatewayChild[] = [];
  const nodeArgs = profileDir ? profilingArgs() : undefined;
  const stop = async () => {
    for (const gateway of gateways) await gateway.child.stop();
    await simulator.child.stop();
  };
  try {
    if (options.acrossInstancesRedisUrl) {
      const redis = {
        REDIS_URL: options.acrossInstancesRedisUrl,
        REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}:`,
      };
      const b = await startGateway({ ...common, ...redis }, nodeArgs);
      const a = await startGateway({ ...common, ...redis, PUBLIC_URL: b.url }, nodeArgs); // MAVI calls back to B
      gateways.push(a, b);
    } else {
      gateways.push(await startGateway(common, nodeArgs));
    }
    const subscribeUrl = gateways[0]!.url;
    const videos = await uploadVideos(`${subscribeUrl}/graphql`, simulator, videoCount, 32);
    return {
      subscribeUrl,
      videos,
      pids: gateways.map((gateway) => gateway.child.proc.pid!),
      inspectors: gateways.map((gateway) => inspectorUrlOf(gateway.child.output)),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The fair floor (processes/fan-out-floor.ts): one process, or two sharing Redis (subscribers on A, callbacks to B). */
async function floorTarget(options: FanOutOptions, videoCount: number): Promise<Target> {
  const env: Record<string, string> = options.acrossInstancesRedisUrl
    ? {
        FLOOR_REDIS_URL: options.acrossInstancesRedisUrl,
        FLOOR_CHANNEL: `bench-floor-${randomBytes(4).toString('hex')}`,
      }
    : {};
  const floors: Child[] = [];
  const stop = async () => {
    for (const floor of floors) await floor.stop();
  };
  try {
    const urls: string[] = [];
    for (let count = options.acrossInstancesRedisUrl ? 2 : 1; count > 0; count -= 1) {
      const { child, url } = await startFanOutFloor(env);
      floors.push(child);
      urls.push(url);
    }
    const callbackUri = `${urls.at(-1)!}/callback`;
    const videos = madeUpVideoNos(videoCount).map((videoNo) => ({ videoNo, callbackUri }));
    return { subscribeUrl: urls[0]!, videos, pids: floors.map((floor) => floor.proc.pid!), inspectors: [], stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function benchFanOut(options: FanOutOptions): Promise<FanOutRow> {
  const perVideo = options.perVideo ?? SUBSCRIBERS_PER_VIDEO;
  const videoCount = Math.max(1, Math.ceil(options.subscribers / perVideo));
  const floor = options.server === 'fair floor';
  const target = floor ? await floorTarget(options, videoCount) : await gatewayTarget(options, videoCount);
  try {
    const { videos, subscribeUrl } = target;
    const wsUrl = `${subscribeUrl.replace('http', 'ws')}/graphql`;
    const subscribers = await openSubscribers(options.subscribers, (index) => {
      const { videoNo } = videos[index % videos.length]!;
      return options.transport === 'SSE'
        ? sseSubscriber(`${subscribeUrl}/graphql`, videoNo)
        : wsSubscriber(wsUrl, videoNo);
    });
    const callbackTarget = new URL(videos[0]!.callbackUri).origin;
    const dispatcher = await callbackConnections(callbackTarget);
    await sleep(500);

    const serverCpu = () => target.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const cpuBefore = { server: serverCpu(), client: process.cpuUsage() };
    const profiles = await Promise.all(
      target.inspectors.map((url, index) =>
        profilePhase(url, `fan-out-${options.subscribers}-${perVideo}-${index}-${process.pid}-${Date.now()}`),
      ),
    );
    const burstStart = performance.now();
    const { sentAt } = await fireCallbacks(videos, 'PARSE', dispatcher);
    const deadline = performance.now() + 15_000;
    const arrived = (subscriber: Subscriber) => subscriber.received.has('PARSE');
    while (!subscribers.every(arrived) && performance.now() < deadline) await sleep(5);
    const burstMs = performance.now() - burstStart;
    const clientCpu = process.cpuUsage(cpuBefore.client);
    const gatewayCpuMs = (serverCpu() - cpuBefore.server) * 1000;
    for (const stopProfile of profiles) await stopProfile();

    const latencies = subscribers
      .filter(arrived)
      .map((subscriber) => subscriber.received.get('PARSE')! - sentAt.get(subscriber.videoNo)!);
    if (process.env.BENCH_PAUSE_AFTER_BURST) await sleep(Number(process.env.BENCH_PAUSE_AFTER_BURST)); // separates the burst in profiles
    for (const subscriber of subscribers) subscriber.close();
    await dispatcher.close();
    const shape = `${videoCount} × ${perVideo}`;
    return {
      scenario: `${floor ? 'fair floor, ' : ''}${options.transport}, ${shape}${options.acrossInstancesRedisUrl ? ', across 2 instances (Redis)' : ''}`,
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
    await target.stop();
  }
}
