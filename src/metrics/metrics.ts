/**
 * The gateway's Prometheus metrics (prom-client), one registry per gateway so that
 * several gateways in one process (the tests) keep their counts apart. Every
 * label takes values from a fixed set: outcome codes of the error registry,
 * MAVI endpoint names, transports. Never a URL, a videoNo or a client key, so
 * the series stay bounded whatever clients send.
 *
 * Parts that change a count get the metric they change; gauges that describe a
 * state (uploads in flight, store availability, the polling period) are read
 * when Prometheus scrapes, from the functions given to `observe`.
 */
import { GATEWAY_VERSION } from '../version.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds, from a fast GraphQL answer to a multi-gigabyte upload. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export type Transport = 'websocket' | 'sse';

export class GatewayMetrics {
  readonly registry = new Registry();

  readonly uploads = new Counter({
    name: 'mavi_gateway_uploads_total',
    help: 'Uploads (file and URL) by outcome: ok, or the error code the client got.',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly uploadBytes = new Counter({
    name: 'mavi_gateway_upload_bytes_total',
    help: 'File bytes streamed to MAVI.',
    registers: [this.registry],
  });
  readonly uploadDuration = new Histogram({
    name: 'mavi_gateway_upload_duration_seconds',
    help: "From the file's first byte to MAVI's answer (or the failure), by outcome.",
    labelNames: ['kind', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly maviRequests = new Counter({
    name: 'mavi_gateway_mavi_requests_total',
    help: "Requests to MAVI by endpoint and outcome: ok, or the gateway's code for MAVI's answer.",
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly maviLatency = new Histogram({
    name: 'mavi_gateway_mavi_request_duration_seconds',
    help: "Time to MAVI's whole answer (for a chat stream: to its headers), by endpoint.",
    labelNames: ['endpoint'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly webhooks = new Counter({
    name: 'mavi_gateway_webhooks_total',
    help: 'Callbacks from MAVI by kind (status, transcript) and outcome: applied, duplicate, held, or the refusal code.',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly eventsPublished = new Counter({
    name: 'mavi_gateway_events_published_total',
    help: 'Events published to subscribers: status changes, deletions, finished transcripts.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly eventsDelivered = new Counter({
    name: 'mavi_gateway_events_delivered_total',
    help: 'Subscription events sent to clients, by transport.',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });
  readonly subscriptions = new Gauge({
    name: 'mavi_gateway_subscriptions_open',
    help: 'Open subscriptions, by transport.',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });
  readonly websockets = new Gauge({
    name: 'mavi_gateway_websockets_open',
    help: 'Open websocket connections.',
    registers: [this.registry],
  });
  readonly pollRounds = new Counter({
    name: 'mavi_gateway_poll_rounds_total',
    help: 'Polling rounds by outcome: ok, busy (MAVI asked to back off), failed.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'mavi_gateway_app_webhook_attempts_total',
    help: "Attempts to deliver an event to the app's webhook endpoint, by outcome: delivered, retry, failed (for good), gone (410).",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly webhookBacklog = new Gauge({
    name: 'mavi_gateway_app_webhook_backlog',
    help: 'Events queued for an app webhook endpoint (by its id) and not yet delivered nor failed for good.',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });
  readonly webhookOldestPendingSeconds = new Gauge({
    name: 'mavi_gateway_app_webhook_oldest_pending_seconds',
    help: 'Age of the oldest event queued for an app webhook endpoint (by its id) and not yet delivered (0 when none is).',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'mavi_gateway_build_info',
      help: 'Always 1; its labels say which release runs: version (semver), and the Node version.',
      labelNames: ['version', 'node_version'] as const,
      registers: [this.registry],
    }).set({ version: GATEWAY_VERSION, node_version: process.version }, 1);
  }

  /** Gauges read at each scrape: the gateway gives how to read each state. */
  observe(states: {
    uploadsInFlight: () => number;
    chatsStreaming: () => number;
    storeUp: () => boolean;
    redisUp: (() => boolean) | undefined;
    pollPeriodSeconds: () => number;
  }): void {
    new Gauge({
      name: 'mavi_gateway_uploads_in_flight',
      help: 'Uploads streaming to MAVI now.',
      registers: [this.registry],
      collect() {
        this.set(states.uploadsInFlight());
      },
    });
    new Gauge({
      name: 'mavi_gateway_chats_streaming',
      help: "Chat answers streaming from MAVI now (each holds an upstream call and the client's subscription).",
      registers: [this.registry],
      collect() {
        this.set(states.chatsStreaming());
      },
    });
    new Gauge({
      name: 'mavi_gateway_store_up',
      help: 'Whether the status store can serve (1) or not (0).',
      registers: [this.registry],
      collect() {
        this.set(states.storeUp() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'mavi_gateway_redis_up',
      help: 'Whether Redis is reachable (1) or not (0); absent without REDIS_URL.',
      registers: [this.registry],
      collect() {
        if (states.redisUp) this.set(states.redisUp() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'mavi_gateway_poll_period_seconds',
      help: 'Seconds until the next polling round: STATUS_POLL_INTERVAL_MS, longer while MAVI is busy (back-off).',
      registers: [this.registry],
      collect() {
        this.set(states.pollPeriodSeconds());
      },
    });
  }
}

/** The outcome label of a failure: its gateway error code (a fixed set), never its message. */
export function outcomeOf(error: unknown): string {
  const failure = error as { name?: unknown; code?: unknown; extensions?: { code?: unknown } } | null;
  if (typeof failure?.extensions?.code === 'string') return failure.extensions.code; // a GraphQL error's registry code
  if (failure?.name === 'MaviError' && typeof failure.code === 'string') return failure.code;
  return 'INTERNAL_SERVER_ERROR';
}
