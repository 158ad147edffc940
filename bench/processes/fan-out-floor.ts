/**
 * The fair floor for subscription fan-out (issue 37): what any server in the gateway's place must
 * do, and nothing more. It
 * - takes MAVI's callbacks over HTTP (POST, any path but /graphql) and parses their JSON;
 * - holds subscribers the way the gateway's clients subscribe: graphql-transport-ws on /graphql
 *   (connection_init, subscribe, complete), and SSE (POST /graphql, `accept: text/event-stream`);
 * - answers each new subscription with one `next` frame (the gateway replays the latest status);
 * - writes one `next` frame per subscriber of the callback's video, and for a final status (PARSE,
 *   FAIL) completes each subscription, as the protocol asks: a `complete` frame, or the end of the
 *   SSE response after its `complete` event.
 * With FLOOR_REDIS_URL, a callback is published through that Redis and every floor process sends
 * what it hears there to its own subscribers, as gateways sharing Redis do.
 *
 * No GraphQL execution, no authentication, no store: those are the gateway's own costs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';

interface Watcher {
  /** Writes one event (the `payload` JSON of a graphql-ws `next` frame). */
  send(payload: string): void;
  /** Ends the subscription after a final status. */
  complete(): void;
}

const FINAL = new Set(['PARSE', 'FAIL']);

const watchers = new Map<string, Set<Watcher>>();
const channel = process.env.FLOOR_CHANNEL ?? 'fan-out-floor';
const redisUrl = process.env.FLOOR_REDIS_URL;
const publisher = redisUrl ? new Redis(redisUrl) : undefined;
const listener = redisUrl ? new Redis(redisUrl) : undefined;

function watch(videoNo: string, watcher: Watcher): () => void {
  let set = watchers.get(videoNo);
  if (!set) watchers.set(videoNo, (set = new Set()));
  set.add(watcher);
  watcher.send(eventPayload(videoNo, 'UNPARSE'));
  return () => {
    set.delete(watcher);
    if (set.size === 0) watchers.delete(videoNo);
  };
}

function eventPayload(videoNo: string, status: string): string {
  return JSON.stringify({ data: { videoStatus: { videoNo, status, receivedAt: new Date().toISOString() } } });
}

function deliver(videoNo: string, status: string): void {
  const set = watchers.get(videoNo);
  if (!set) return;
  const payload = eventPayload(videoNo, status);
  for (const watcher of set) watcher.send(payload);
  if (!FINAL.has(status)) return;
  watchers.delete(videoNo);
  for (const watcher of set) watcher.complete();
}

function readJson(req: IncomingMessage): Promise<any> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

async function takeCallback(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  if (typeof body?.videoNo !== 'string' || typeof body?.status !== 'string') {
    res.writeHead(400).end();
    return;
  }
  if (publisher) await publisher.publish(channel, JSON.stringify({ videoNo: body.videoNo, status: body.status }));
  else deliver(body.videoNo, body.status);
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
}

async function openEventStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  const videoNo = body?.variables?.videoNo;
  if (typeof videoNo !== 'string') {
    res.writeHead(400).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', 'cache-control': 'no-cache' });
  const unwatch = watch(videoNo, {
    send: (payload) => res.write(`event: next\ndata: ${payload}\n\n`),
    complete: () => res.end('event: complete\ndata:\n\n'),
  });
  res.on('close', unwatch);
}

const server = createServer((req, res) => {
  const handle =
    req.method === 'GET'
      ? Promise.resolve(void res.end('ok'))
      : req.url === '/graphql'
        ? openEventStream(req, res)
        : takeCallback(req, res);
  handle.catch(() => res.writeHead(400).end());
});

const sockets = new WebSocketServer({ server, path: '/graphql' });
sockets.on('connection', (socket: WebSocket) => {
  const subscriptions = new Map<string, () => void>();
  socket.on('message', (raw) => {
    let message: { type?: string; id?: string; payload?: { variables?: { videoNo?: unknown } } };
    try {
      message = JSON.parse(raw.toString());
    } catch {
      return void socket.close(4400, 'invalid message');
    }
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'subscribe' && typeof message.id === 'string') {
      const videoNo = message.payload?.variables?.videoNo;
      if (typeof videoNo !== 'string') return void socket.close(4400, 'no videoNo');
      const id = JSON.stringify(message.id);
      const watcher: Watcher = {
        send: (payload) => socket.send(`{"id":${id},"type":"next","payload":${payload}}`),
        complete: () => {
          subscriptions.delete(message.id!);
          socket.send(`{"id":${id},"type":"complete"}`);
        },
      };
      subscriptions.set(message.id, watch(videoNo, watcher));
    } else if (message.type === 'complete' && typeof message.id === 'string') {
      subscriptions.get(message.id)?.();
      subscriptions.delete(message.id);
    }
  });
  socket.on('close', () => {
    for (const unwatch of subscriptions.values()) unwatch();
  });
});

if (listener) {
  await listener.subscribe(channel);
  listener.on('message', (_channel: string, text: string) => {
    const { videoNo, status } = JSON.parse(text) as { videoNo: string; status: string };
    deliver(videoNo, status);
  });
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`FAN_OUT_FLOOR http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
