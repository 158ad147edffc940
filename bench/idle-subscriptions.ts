/**
 * What an idle subscription costs the gateway (issue 17): 10,000 videoStatus
 * subscriptions on videos that stay UNPARSE, opened at 1 and at 10 per
 * websocket, against a fresh gateway each time. The cost is the gateway's RSS
 * growth from before the sockets opened to after they settled, divided by
 * subscriptions and by sockets, each reading after a full garbage collection
 * (asked through the gateway's inspector). Reported as the median over `runs` runs, with
 * every run's value.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { startGatewayOn, startSimulator } from './lib/child.js';
import { readMemory } from './lib/memory.js';
import { fmt, median } from './lib/stats.js';
import { uploadVideos } from './lib/videos.js';

const QUERY = 'subscription ($videoNo: ID!) { videoStatus(videoNo: $videoNo) { videoNo status receivedAt } }';

export interface IdleRow {
  perSocket: number;
  subscriptions: number;
  sockets: number;
  /** Bytes of gateway RSS per subscription and per socket, one value per run. */
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
  const socket = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const call = (id: number, method: string) => {
    socket.send(JSON.stringify({ id, method }));
    return new Promise<{ usedSize?: number }>((resolve) =>
      socket.on('message', (raw) => {
        const message = JSON.parse(raw.toString()) as { id?: number; result?: { usedSize?: number } };
        if (message.id === id) resolve(message.result ?? {});
      }),
    );
  };
  await call(1, 'HeapProfiler.collectGarbage');
  await call(2, 'HeapProfiler.collectGarbage');
  const { usedSize } = await call(3, 'Runtime.getHeapUsage');
  socket.close();
  return usedSize ?? NaN;
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

export async function benchIdleSubscriptions(subscriptions: number, runs: number): Promise<IdleRow[]> {
  const rows: IdleRow[] = [];
  const simulator = await startSimulator();
  try {
    for (const perSocket of [1, 10]) {
      const sockets = subscriptions / perSocket;
      const row: IdleRow = {
        perSocket,
        subscriptions,
        sockets,
        perSubscription: [],
        perSocketBytes: [],
        heapPerSubscription: [],
      };
      for (let run = 1; run <= runs; run += 1) {
        const gateway = await startGatewayOn(simulator, {}, ['--inspect=127.0.0.1:0']);
        const inspectorUrl = await inspectorOf(gateway.child.output);
        try {
          const videos = await uploadVideos(`${gateway.url}/graphql`, simulator, 100);
          const wsUrl = `${gateway.url.replace(/^http/, 'ws')}/graphql`;
          // Warm the paths once (JIT, pools) with a socket that then leaves.
          (await socketWith(wsUrl, [videos[0]!.videoNo])).terminate();
          const pid = gateway.child.proc.pid!;
          const before = await settled(pid, inspectorUrl);
          const open: WebSocket[] = [];
          for (let start = 0; start < sockets; start += 200) {
            const batch = Array.from({ length: Math.min(200, sockets - start) }, (_, i) =>
              socketWith(
                wsUrl,
                Array.from({ length: perSocket }, (_, k) => videos[(start + i + k) % videos.length]!.videoNo),
              ),
            );
            open.push(...(await Promise.all(batch)));
          }
          const after = await settled(pid, inspectorUrl);
          row.perSubscription.push((after.rss - before.rss) / subscriptions);
          row.perSocketBytes.push((after.rss - before.rss) / sockets);
          row.heapPerSubscription.push((after.heap - before.heap) / subscriptions);
          process.stderr.write(
            `  idle: ${subscriptions} subscriptions, ${perSocket} per socket, run ${run}: ${fmt((after.rss - before.rss) / subscriptions / 1024, 2)} KiB RSS, ${fmt((after.heap - before.heap) / subscriptions / 1024, 2)} KiB heap per subscription\n`,
          );
          for (const socket of open) socket.terminate();
        } finally {
          await gateway.child.stop();
        }
      }
      rows.push(row);
    }
  } finally {
    await simulator.child.stop();
  }
  return rows;
}

/** The inspector's websocket URL, from the "Debugger listening on ws://…" line. */
export async function inspectorOf(output: string[]): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const found = /Debugger listening on (ws:\/\/\S+)/.exec(output.join(''));
    if (found) return found[1]!;
    await sleep(100);
  }
  throw new Error(`the gateway's inspector did not start:\n${output.join('')}`);
}

const kib = (values: number[]) => values.map((value) => fmt(value / 1024, 2)).join(', ');

export function idleTable(rows: IdleRow[]): string[] {
  return [
    '| subscriptions per socket | subscriptions | sockets | RSS KiB per subscription (median; every run) | RSS KiB per socket (median) | JS heap retained, KiB per subscription (median; every run) | target per subscription |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.perSocket} | ${row.subscriptions} | ${row.sockets} | ${fmt(median(row.perSubscription) / 1024, 2)} (${kib(row.perSubscription)}) | ${fmt(median(row.perSocketBytes) / 1024, 2)} | ${fmt(median(row.heapPerSubscription) / 1024, 2)} (${kib(row.heapPerSubscription)}) | ${row.perSocket === 10 ? '<= 4 KB (3.91 KiB)' : '–'} |`,
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const subscriptions = Number(process.argv[2] ?? 10_000);
  const runs = Number(process.argv[3] ?? 3);
  process.stdout.write(`${idleTable(await benchIdleSubscriptions(subscriptions, runs)).join('\n')}\n`);
}
