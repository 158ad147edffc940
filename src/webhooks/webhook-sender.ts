/**
 * One attempt to deliver one event to one endpoint: a POST with Standard Webhooks' headers,
 * signed with `standardwebhooks`. Bounded: a deadline on the whole attempt, the answer read
 * only to a small bound and then dropped, no redirect followed, and (unless allowed) no
 * connection into the operator's network, checked where the connection is made.
 */
import { Agent, request } from 'undici';
import { Webhook } from 'standardwebhooks';
import { namesInternalHost, refusingLookup } from '../net/internal-addresses.js';
import { parseRetryAfter } from './retry-schedule.js';

/** What is read of a receiver's answer before it is dropped: nothing in it is used. */
const ANSWER_READ_LIMIT = 4 * 1024;

export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  /** 408, 429, 5xx, a timeout or a network error: tried again on the schedule. */
  | { kind: 'retry'; status: number | undefined; error: string; retryAfterMs: number | undefined }
  /** 410: the receiver says the endpoint is gone; it is disabled. */
  | { kind: 'gone'; status: number }
  /** Any other answer: this delivery will not succeed by trying again. */
  | { kind: 'final'; status: number | undefined; error: string };

export interface SenderOptions {
  /** Let endpoints be on loopback, private or link-local addresses (APP_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  timeoutMs: number;
  /** Connections per endpoint origin: the concurrency of its deliveries. */
  connections: number;
}

export class WebhookSender {
  private readonly agent: Agent;

  constructor(private readonly options: SenderOptions) {
    this.agent = new Agent({
      connections: options.connections,
      connect: options.allowPrivate ? {} : { lookup: refusingLookup },
    });
  }

  async send(
    url: string,
    secrets: readonly string[],
    delivery: { eventId: string; body: string },
  ): Promise<AttemptOutcome> {
    const target = new URL(url);
    if (!this.options.allowPrivate && namesInternalHost(target)) {
      return { kind: 'final', status: undefined, error: 'the endpoint is a loopback, private or link-local address' };
    }
    const timestamp = new Date();
    const signature = secrets
      .map((secret) => new Webhook(secret).sign(delivery.eventId, timestamp, delivery.body))
      .join(' ');
    try {
      const answer = await request(target, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'mavi-graphql-gateway',
          'webhook-id': delivery.eventId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: delivery.body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      await answer.body.dump({ limit: ANSWER_READ_LIMIT }).catch(() => undefined);
      return outcomeOf(answer.statusCode, headerOf(answer.headers['retry-after']));
    } catch (error) {
      return { kind: 'retry', status: undefined, error: describeFailure(error), retryAfterMs: undefined };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function outcomeOf(status: number, retryAfter: string | undefined): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 410) return { kind: 'gone', status };
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: 'retry', status, error: `HTTP ${status}`, retryAfterMs: parseRetryAfter(retryAfter, Date.now()) };
  }
  const why = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
  return { kind: 'final', status, error: why };
}

/** A failure in a few words, never with the body or the headers (they carry the signature). */
function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer within the deadline';
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRREFUSED_PRIVATE') return error.message;
    const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
    if (cause?.code === 'EADDRREFUSED_PRIVATE') return cause.message;
    return code ?? cause?.code ?? error.name;
  }
  return 'unknown error';
}
