/**
 * Lightweight subscribers for the fan-out benchmarks: the graphql-transport-ws
 * protocol spoken directly over `ws`, and SSE over node:http, each recording
 * when (performance.now()) each status arrived.
 */
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

const QUERY = 'subscription ($videoNo: ID!) { videoStatus(videoNo: $videoNo) { videoNo status receivedAt } }';

export interface Subscriber {
  readonly videoNo: string;
  /** performance.now() at each status received, by status. */
  readonly received: Map<string, number>;
  close(): void;
}

/** Resolves once the subscription delivered its first (replayed) event. */
export function wsSubscriber(wsUrl: string, videoNo: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
    const received = new Map<string, number>();
    const subscriber: Subscriber = { videoNo, received, close: () => socket.terminate() };
    let first = true;
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { type: string; payload?: any };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables: { videoNo } } }));
      } else if (message.type === 'next') {
        const status = message.payload?.data?.videoStatus?.status as string | undefined;
        if (status) received.set(status, performance.now());
        if (first) {
          first = false;
          resolve(subscriber);
        }
      } else if (message.type === 'error') {
        reject(new Error(JSON.stringify(message.payload)));
      }
    });
  });
}

/** An SSE subscription (Yoga's default for HTTP subscriptions); resolves after the first event. */
export function sseSubscriber(graphqlUrl: string, videoNo: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const received = new Map<string, number>();
    const req = request(graphqlUrl, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    });
    const subscriber: Subscriber = { videoNo, received, close: () => req.destroy() };
    let first = true;
    let buffer = '';
    req.on('error', (error) => {
      if (first) reject(error);
    });
    req.on('response', (res) => {
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        buffer += text;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (!block.startsWith('event: next')) continue;
          const data = block.slice(block.indexOf('data:') + 5);
          const status = JSON.parse(data).data?.videoStatus?.status as string | undefined;
          if (status) received.set(status, performance.now());
          if (first) {
            first = false;
            resolve(subscriber);
          }
        }
      });
    });
    req.end(JSON.stringify({ query: QUERY, variables: { videoNo } }));
  });
}

/** Opens `count` subscribers `batch` at a time (a burst of 10,000 connects overflows listen backlogs). */
export async function openSubscribers(
  count: number,
  open: (index: number) => Promise<Subscriber>,
  batch = 250,
): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    subscribers.push(...(await Promise.all(Array.from({ length: size }, (_, i) => open(start + i)))));
  }
  return subscribers;
}
