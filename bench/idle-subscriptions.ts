/**
 * What an idle subscription costs the gateway (issues 17 and 37): 10,000 videoStatus
 * subscriptions on videos that stay UNPARSE, over websockets (1 and 10 per socket)
 * and over SSE (one response each), against a fresh gateway each time, and the same
 * subscriptions held by the fair floor (processes/fan-out-floor.ts), by turns. The
 * cost is the process's RSS growth from before the sockets opened to after they
 * settled, divided by subscriptions and by sockets, each reading after a full garbage
 * collection (asked through the inspector). Reported as the median over `runs` runs,
 * with every run's value.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { startFanOutFloor, startGatewayOn, startSimulator, type SimulatorChild } from './lib/child.js';
import { sseSubscriber } from './lib/subscribers.js';
import { inspectorOf, openInspector } from './lib/inspector.js';
import { readMemory } from './lib/memory.js';
import { fmt, median } from './lib/stats.js';
import { madeUpVideoNos, uploadVideos } from './lib/videos.js';

const QUERY = 'subscription ($videoNo: ID!) { videoStatus(videoNo: $videoNo) { videoNo status receivedAt } }';

export interface IdleRow {
  /** The gateway, or the fair floor (processes/fan-out-floor.ts) holding the same subscriptions. */
  server: 'gateway' | 'fair floor';
  transport: 'graphql-ws' | 'SSE';
  perSocket: number;
  subscriptions: number;
  sockets: number;
  /** Bytes of RSS per subscription and per socket, one value per run. */
  perSubscription: number[];
  perSocketBytes: number[];
  /** Bytes of JS heap retained (after a full collection) per subscription, one value per run. */
  heapPerSubscription: number[];
}

/** One websocket holding `count` subscriptions; resolves once each delivered its first event. */
export function socketWith(wsUrl: string, videoNos: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
    let waiting = videoNos.length;
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { type: string; id?: string; payload?: unknown };
      if (message.type === 'connection_ack') {
        videoNos.forEach((videoNo, index) =>
          socket.send(
            JSON.stringify({
              id: String(index + 1),
              type: 'subscribe',
              payload: { query: QUERY, variables: { videoNo } },
            }),
          ),
        );
      } else if (message.type === 'next') {
        waiting -= 1;
        if (waiting === 0) resolve(socket);
      } else if (message.type === 'error') reject(new Error(JSON.stringify(message.payload)));
    });
  });
}

/**
 * A full garbage collection in the gateway, asked through its inspector
 * (started with --inspect on a free port): what stays is what is retained, not
 * garbage the collector has not reached yet.
 */
export async function collectGarbage(inspectorUrl: string): Promise<number> {
  const inspector = await openInspector(inspectorUrl);
  try {
    await inspector.call('HeapProfiler.collectGarbage');
    await inspector.call('HeapProfiler.collectGarbage');
    const { usedSize } = (await inspector.call('Runtime.getHeapUsage')) as { usedSize?: number };
    return usedSize ?? NaN;
  } finally {
    inspector.close();
  }
}

/** The JS heap in use after a full collection, and the process's RSS then. */
async function settled(pid: number, inspectorUrl: string): Promise<{ heap: number; rss: number }> {
  const heap = await collectGarbage(inspectorUrl);
  // RSS still moves a little after a collection: the lowest of a few readings a moment apart.
  let rss = Infinity;
  for (let reading = 0; reading < 3; reading += 1) {
    await sleep(300);
    rss = Math.min(rss, readMemory(pid).rss);
  }
  return { heap, rss };
}

interface IdleCase {
  server: IdleRow['server'];
  transport: IdleRow['transport'];
  perSocket: number;
}

/**
 * The cases, run by turns within each run so that drift reaches them alike: the gateway over
 * graphql-ws at 1 and 10 subscriptions per socket, and over SSE; the fair floor holding one
 * subscription per websocket, and one SSE response each.
 */
const CASES: IdleCase[] = [
  { server: 'gateway', transport: 'graphql-ws', perSocket: 1 },
  { server: 'fair floor', transport: 'graphql-ws', perSocket: 1 },
  { server: 'gateway', transport: 'SSE', perSocket: 1 },
  { server: 'fair floor', transport: 'SSE', perSocket: 1 },
  { server: 'gateway', transport: 'graphql-ws', perSocket: 10 },
];

/** A server for one idle case: its URL, pid and inspector, videos to watch, and how to stop it. */
async function startIdleServer(simulator: SimulatorChild, server: IdleRow['server']) {
  if (server === 'fair floor') {
    const { child, url } = await startFanOutFloor({}, ['--inspect=127.0.0.1:0']);
    return { url, child, videoNos: madeUpVideoNos(100) };
  }
  const gateway = await startGatewayOn(simulator, {}, ['--inspect=127.0.0.1:0']);
  const videos = await uploadVideos(`${gateway.url}/graphql`, simulator, 100);
  return { url: gateway.url, child: gateway.child, videoNos: videos.map((video) => video.videoNo) };
}

async function idleRun(simulator: SimulatorChild, row: IdleRow): Promise<void> {
  const { url, child, videoNos } = await startIdleServer(simulator, row.server);
  try {
    const inspectorUrl = await inspectorOf(child.output);
    const wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
    const open = async (start: number): Promise<() => void> => {
      if (row.transport === 'SSE') {
        const subscriber = await sseSubscriber(`${url}/graphql`, videoNos[start % videoNos.length]!);
        return () => subscriber.close();
      }
      const socket = await socketWith(
        wsUrl,
        Array.from({ length: row.perSocket }, (_, k) => videoNos[(start + k) % videoNos.length]!),
      );
      return () => socket.terminate();
    };
    // Warm the paths once (JIT, pools) with a subscriber that then leaves.
    (await open(0))();
    const pid = child.proc.pid!;
    const before = await settled(pid, inspectorUrl);
    const closers: (() => void)[] = [];
    for (let start = 0; start < row.sockets; start += 200) {
      const batch = Array.from({ length: Math.min(200, row.sockets - start) }, (_, i) => open(start + i));
      closers.push(...(await Promise.all(batch)));
    }
    const after = await settled(pid, inspectorUrl);
    row.perSubscription.push((after.rss - before.rss) / row.subscriptions);
    row.perSocketBytes.push((after.rss - before.rss) / row.sockets);
    row.heapPerSubscription.push((after.heap - before.heap) / row.subscriptions);
    process.stderr.write(
      `  idle ${row.server}, ${row.transport}, ${row.subscriptions} subscriptions, ${row.perSocket} per socket: ${fmt((after.rss - before.rss) / row.subscriptions / 1024, 2)} KiB RSS, ${fmt((after.heap - before.heap) / row.subscriptions / 1024, 2)} KiB heap per subscription\n`,
    );
    for (const close of closers) close();
  } finally {
    await child.stop();
  }
}

export async function benchIdleSubscriptions(subscriptions: number, runs: number): Promise<IdleRow[]> {
  const rows: IdleRow[] = CASES.map((idleCase) => ({
    ...idleCase,
    subscriptions,
    sockets: subscriptions / idleCase.perSocket,
    perSubscription: [],
    perSocketBytes: [],
    heapPerSubscription: [],
  }));
  const simulator = await startSimulator();
  try {
    for (let run = 1; run <= runs; run += 1) for (const row of rows) await idleRun(simulator, row);
  } finally {
    await simulator.child.stop();
  }
  return rows;
}

/** The row of one subscription per socket (or SSE response) that `server` held over `transport`. */
export function idleRowOf(rows: IdleRow[], server: IdleRow['server'], transport: IdleRow['transport']) {
  return rows.find((row) => row.server === server && row.transport === transport && row.perSocket === 1);
}

/** Per subscription, the gateway's RSS over the fair floor's, each run paired with the floor's same run. */
export function idleOverFloor(rows: IdleRow[], transport: IdleRow['transport']): number[] | undefined {
  const gateway = idleRowOf(rows, 'gateway', transport);
  const floor = idleRowOf(rows, 'fair floor', transport);
  if (!gateway || !floor) return undefined;
  return gateway.perSubscription.map((bytes, index) => bytes - floor.perSubscription[index]!);
}

const kib = (values: number[]) => values.map((value) => fmt(value / 1024, 2)).join(', ');

export function idleTable(rows: IdleRow[]): string[] {
  return [
    '| server | transport | subscriptions per socket | subscriptions | RSS KiB per subscription (median; every run) | RSS KiB per socket (median) | JS heap retained, KiB per subscription (median; every run) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.server} | ${row.transport} | ${row.perSocket} | ${row.subscriptions} | ${fmt(median(row.perSubscription) / 1024, 2)} (${kib(row.perSubscription)}) | ${fmt(median(row.perSocketBytes) / 1024, 2)} | ${fmt(median(row.heapPerSubscription) / 1024, 2)} (${kib(row.heapPerSubscription)}) |`,
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const subscriptions = Number(process.argv[2] ?? 10_000);
  const runs = Number(process.argv[3] ?? 3);
  process.stdout.write(`${idleTable(await benchIdleSubscriptions(subscriptions, runs)).join('\n')}\n`);
}
