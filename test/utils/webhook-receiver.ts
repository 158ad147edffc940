/**
 * The app's backend, as a test plays it: a real HTTP server that verifies every delivery with
 * `standardwebhooks` (Webhook.verify) and records what it got. Each request's answer comes
 * from `answer`, so a test can play a receiver that is down, slow, or gone.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface ReceivedDelivery {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The payload, when the signature verified with one of the receiver's secrets. */
  payload: { type: string; timestamp: string; data: Record<string, unknown> } | undefined;
  receivedAt: number;
}

/**
 * What the receiver answers a request: a status and headers; nothing for `hangMs`; or 200 with a
 * body that never ends (`endless`), noting when the gateway hung up.
 */
export type Answer =
  { status: number; headers?: Record<string, string> } | { hangMs: number } | { endless: { closed: boolean } };

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export class WebhookReceiver {
  readonly deliveries: ReceivedDelivery[] = [];
  /** Answers for the next requests, in order; once spent, 204. */
  readonly answers: Answer[] = [];
  private readonly server: Server;
  private readonly waiters = new Set<() => void>();
  url = '';

  /** The secrets it verifies with: a test adds the one an endpoint was made with. */
  constructor(readonly secrets: string[]) {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        this.record(req, body);
        const answer = this.answers.shift() ?? { status: 204 };
        if ('hangMs' in answer) {
          const timer = setTimeout(() => res.writeHead(200).end(), answer.hangMs);
          res.on('close', () => clearTimeout(timer));
          return;
        }
        if ('endless' in answer) {
          const chunk = Buffer.alloc(16 * 1024, 'x');
          const write = () => {
            while (!res.destroyed && res.write(chunk));
          };
          res.on('drain', write);
          res.on('close', () => {
            answer.endless.closed = true;
            this.wake();
          });
          res.writeHead(200, { 'content-type': 'text/plain' });
          write();
          return;
        }
        res.writeHead(answer.status, answer.headers).end();
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Verified deliveries of one type. */
  ofType(type: string): ReceivedDelivery[] {
    return this.deliveries.filter((delivery) => delivery.payload?.type === type);
  }

  /** Resolves once `ready` holds, re-checked after every delivery. */
  async waitFor<T>(ready: () => T | undefined | false): Promise<T> {
    for (;;) {
      const value = ready();
      if (value) return value;
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  /** Whether the delivery verifies with one of these secrets (as a receiver would check). */
  verifies(
    delivery: Pick<ReceivedDelivery, 'id' | 'timestamp' | 'signature' | 'body'>,
    secrets = this.secrets,
  ): boolean {
    return secrets.some((secret) => {
      try {
        new Webhook(secret).verify(delivery.body, {
          'webhook-id': delivery.id,
          'webhook-timestamp': delivery.timestamp,
          'webhook-signature': delivery.signature,
        });
        return true;
      } catch {
        return false;
      }
    });
  }

  private record(req: IncomingMessage, body: string): void {
    const delivery = {
      id: String(req.headers['webhook-id']),
      timestamp: String(req.headers['webhook-timestamp']),
      signature: String(req.headers['webhook-signature']),
      body,
      receivedAt: Date.now(),
    };
    const payload = this.verifies(delivery) ? (JSON.parse(body) as ReceivedDelivery['payload']) : undefined;
    this.deliveries.push({ ...delivery, payload });
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A token for GET /metrics in the webhook tests, which read the delivery metrics. */
const METRICS_TOKEN = 'metrics-token-for-webhook-tests';

/** A gateway's environment that sends its webhooks to `receiver`, signed with `secret`. */
export function appWebhookEnv(receiver: WebhookReceiver, secret: string, extra: Record<string, string> = {}) {
  return {
    APP_WEBHOOK_URL: receiver.url,
    APP_WEBHOOK_SECRET: secret,
    APP_WEBHOOK_ALLOW_PRIVATE: 'on',
    METRICS_TOKEN,
    ...extra,
  };
}

/** One sample of a metric (its first line that starts with `name`, labels included); 0 when absent. */
export async function metricValue(baseUrl: string, name: string): Promise<number> {
  const answer = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await answer.text()).split('\n').find((entry) => entry.startsWith(name));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}
