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
import { callbackConnections, fireCallbacks, uploadVideos } from './lib/videos.js';

export interface DeliveryRow {
  events: number;
  seconds: number;
  perSecond: number;
}

/** A receiver that answers every POST 204 and counts them; `reached(n)` resolves at the n-th. */
export async function countingReceiver() {
  let count = 0;
  const waiters: { target: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(204).end();
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
