/**
 * The app's webhooks: how many events a second reach a fast local receiver (each a signed POST
 * answered 204), from a burst of PARSE callbacks (two events each: status_changed and ready).
 * The gateway, the simulator and the receiver are separate from this process's clients only in
 * that the receiver runs here: it only counts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startGatewayOn, startSimulator } from './lib/child.js';
import { MiB, readMemory } from './lib/memory.js';
import { callbackConnections, fireCallbacks, uploadVideos } from './lib/videos.js';

export interface DeliveryRow {
  events: number;
  seconds: number;
  perSecond: number;
}

/** A receiver that answers every POST `status` (204) and counts them; `reached(n)` resolves at the n-th. */
export async function countingReceiver(status = 204) {
  let count = 0;
  const waiters: { target: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status).end();
      count += 1;
      for (const waiter of waiters.filter(({ target }) => count >= target)) waiter.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    get count() {
      return count;
    },
    reached: (target: number) =>
      new Promise<void>((resolve) => (count >= target ? resolve() : waiters.push({ target, resolve }))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function webhookEnv(url: string): Record<string, string> {
  return {
    APP_WEBHOOK_URL: url,
    APP_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
    APP_WEBHOOK_ALLOW_PRIVATE: 'on',
  };
}

export async function benchWebhookDeliveries(videos: number, env: Record<string, string> = {}): Promise<DeliveryRow> {
  const receiver = await countingReceiver();
  const simulator = await startSimulator();
  const gateway = await startGatewayOn(simulator, { ...env, ...webhookEnv(receiver.url) });
  try {
    const uploaded = await uploadVideos(`${gateway.url}/graphql`, simulator, videos);
    await receiver.reached(videos); // every video.registered delivered: the queue is empty
    const callbacks = await callbackConnections(gateway.url, 64);
    const started = performance.now();
    const before = receiver.count;
    await fireCallbacks(uploaded, 'PARSE', callbacks);
    await receiver.reached(before + 2 * videos);
    const seconds = (performance.now() - started) / 1000;
    await callbacks.close();
    return { events: 2 * videos, seconds, perSecond: (2 * videos) / seconds };
  } finally {
    await gateway.child.stop();
    await simulator.child.stop();
    await receiver.close();
  }
}

export interface FailingReceiverRow {
  /** Events made so far (a registration and two status events per video). */
  events: number;
  /** Attempts the receiver refused so far. */
  attempts: number;
  /** The gateway's resident set after them. */
  rssMiB: number;
  /** Its V8 heap in use then (nodejs_heap_size_used_bytes). */
  heapUsedMiB: number;
  /** Deliveries queued (mavi_gateway_app_webhook_backlog). */
  backlog: number;
}

const METRICS_TOKEN = 'bench-metrics-token-0123456789';

/**
 * A receiver that always answers 500, under bursts of events on the default retry schedule
 * (hours between late attempts): the queue holds at most APP_WEBHOOK_MAX_BACKLOG deliveries,
 * the rest waits in the event log, and the gateway's memory must not grow with the events.
 * One row per burst, the first after a warm-up.
 */
export async function benchFailingReceiver(
  videosPerBurst: number,
  bursts: number,
  backlogBound: number,
  /** Without the endpoint: the control run, the same bursts with webhooks off. */
  webhooks = true,
): Promise<FailingReceiverRow[]> {
  const receiver = await countingReceiver(500);
  const url = receiver.url;
  const simulator = await startSimulator();
  const gateway = await startGatewayOn(simulator, {
    ...(webhooks ? webhookEnv(url) : {}),
    APP_WEBHOOK_MAX_BACKLOG: String(backlogBound),
    METRICS_TOKEN,
  });
  const pid = gateway.child.proc.pid!;
  const rows: FailingReceiverRow[] = [];
  const metrics = async () => {
    const answer = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const text = await answer.text();
    const sample = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
    return {
      backlog: sample(/^mavi_gateway_app_webhook_backlog\{[^}]*\} (\d+)/m),
      heapUsedMiB: sample(/^nodejs_heap_size_used_bytes (\d+)/m) / MiB,
    };
  };
  try {
    const callbacks = await callbackConnections(gateway.url, 64);
    for (let burst = 0; burst <= bursts; burst += 1) {
      const uploaded = await uploadVideos(`${gateway.url}/graphql`, simulator, videosPerBurst);
      await fireCallbacks(uploaded, 'PARSE', callbacks);
      // The first burst fills the queue: one attempt (and the immediate retry) for each queued delivery.
      if (burst === 0 && webhooks) await receiver.reached(2 * backlogBound);
      if (burst === 0) continue; // the warm-up
      rows.push({
        events: 3 * videosPerBurst * (burst + 1),
        attempts: receiver.count,
        rssMiB: readMemory(pid).rss / MiB,
        ...(await metrics()),
      });
    }
    await callbacks.close();
    return rows;
  } finally {
    await gateway.child.stop();
    await simulator.child.stop();
    await receiver.close();
  }
}
