/** The fan-out floor: N plain websockets, one frame each from a bare `ws` server (see processes/bare-ws-server.ts). */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { startChild } from './lib/child.js';
import { cpuSeconds } from './lib/memory.js';
import { percentile } from './lib/stats.js';
import type { FanOutRow } from './fan-out.js';

export async function benchFanOutFloor(count: number): Promise<FanOutRow> {
  const { child, match } = await startChild('bench/processes/bare-ws-server.ts', {}, /BARE_WS (\S+)/);
  const url = match[1]!;
  const arrivals: number[] = [];
  const sockets: WebSocket[] = [];
  try {
    for (let start = 0; start < count; start += 250) {
      const batch = Array.from({ length: Math.min(250, count - start) }, () => {
        const socket = new WebSocket(url.replace('http', 'ws'), { perMessageDeflate: false });
        socket.on('message', (raw) => {
          JSON.parse(raw.toString());
          arrivals.push(performance.now());
        });
        sockets.push(socket);
        return new Promise((resolve, reject) => {
          socket.once('open', resolve);
          socket.once('error', reject);
        });
      });
      await Promise.all(batch);
    }
    await sleep(500);
    const cpuBefore = cpuSeconds(child.proc.pid!);
    const fired = performance.now();
    await fetch(`${url}/fire`);
    const deadline = fired + 15_000;
    while (arrivals.length < count && performance.now() < deadline) await sleep(5);
    const latencies = arrivals.map((at) => at - fired);
    return {
      scenario: 'floor: bare ws server, one frame per socket',
      subscribers: count,
      videos: 1,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      lost: count - latencies.length,
      gatewayCpuMs: (cpuSeconds(child.proc.pid!) - cpuBefore) * 1000,
      clientCpuMs: Number.NaN,
      burstMs: Math.max(...latencies),
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    await child.stop();
  }
}
