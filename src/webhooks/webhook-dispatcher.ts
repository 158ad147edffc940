/**
 * Hands every event of the log to one webhook endpoint (of the types it takes), at least once.
 * Each round:
 *  1. queues the log's new events for the endpoint, as far as its backlog bound allows (the
 *     rest waits in the log, which keeps it for its retention window);
 *  2. claims due deliveries with a lease, up to the endpoint's concurrency, and sends them;
 *  3. records each attempt: delivered, due again on the retry schedule, or failed for good.
 * A 410, or a delivery that fails through the whole schedule, disables the endpoint; its
 * backlog is kept (and counted) until the retention sweep.
 */
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { StatusStore } from '../status/status-store.js';
import { EVENT_RETENTION_MS } from '../status/video-events.js';
import type { Delivery, DeliveryQueue, SigningSecret } from './delivery-queue.js';
import { retryDelay } from './retry-schedule.js';
import type { AttemptOutcome, WebhookSender } from './webhook-sender.js';
import { webhookBody } from './webhook-payload.js';

export interface WebhookEndpoint {
  /** Stable name of the endpoint in the queue ("app" for APP_WEBHOOK_URL). */
  id: string;
  url: string;
  /** Every secret that signs (more than one while a secret rotates; a rotated-out one until it expires). */
  secrets: readonly SigningSecret[];
  /** The event types it takes; undefined: every type. */
  types: readonly string[] | undefined;
}

export interface DispatcherOptions {
  store: Pick<StatusStore, 'eventsAfter' | 'eventLogEnd'>;
  queue: DeliveryQueue;
  sender: WebhookSender;
  endpoint: WebhookEndpoint;
  /**
   * Enable the endpoint again at start, if it was disabled: for the configured endpoint, a
   * restart (a deploy) is how an operator says the receiver is fixed. A made endpoint is
   * enabled again with `updateWebhookEndpoint(enabled: true)`.
   */
  enableAtStart: boolean;
  retryDelaysMs: readonly number[];
  /** How long a claimed delivery is this instance's: past it, another instance may send it. */
  leaseMs: number;
  concurrency: number;
  maxBacklog: number;
  logger: Logger;
  metrics: GatewayMetrics;
  /** How often a round runs when nothing wakes it sooner. */
  roundMs?: number;
  now?: () => number;
}

/** Events read from the log per round. */
const BATCH = 200;
const DEFAULT_ROUND_MS = 250;
const SWEEP_MS = 60 * 60 * 1000;

export class WebhookDispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private lastSweep = 0;
  private lastFullRound = 0;
  private readonly now: () => number;
  private readonly roundMs: number;
  private endpoint: WebhookEndpoint;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
    this.roundMs = options.roundMs ?? DEFAULT_ROUND_MS;
    this.endpoint = options.endpoint;
  }

  /** Starts the rounds (see `enableAtStart`); a kept backlog is then sent. */
  async start(): Promise<void> {
    if (this.options.enableAtStart) {
      const reason = await this.options.queue.enable(this.endpoint.id).catch(() => undefined);
      if (reason !== undefined) {
        this.options.logger.warn('app webhook endpoint enabled again at start', { endpoint: this.endpoint.id, reason });
      }
    }
    this.schedule(0);
  }

  /** New settings (URL, secrets, types): the next attempt uses them. The same settings change nothing. */
  update(endpoint: WebhookEndpoint): void {
    if (JSON.stringify(endpoint) === JSON.stringify(this.endpoint)) return;
    this.endpoint = endpoint;
    this.wake();
  }

  /** Sends at once what is due (a redelivery, an endpoint enabled again). */
  wake(): void {
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Stops claiming; waits for the attempts under way (each bounded by the sender's deadline). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await Promise.all(this.inFlight);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.runRound(), delayMs);
    this.timer.unref();
  }

  private runRound(): void {
    if (this.running) return;
    this.running = this.round()
      .catch((error: unknown) => {
        // The store is away (Redis down, a full disk): the next round tries again.
        this.options.logger.warn('app webhook round failed', { error: String(error) });
      })
      .finally(() => {
        this.running = undefined;
        const again = this.again;
        this.again = false;
        this.schedule(again ? 0 : this.roundMs);
      });
  }

  /**
   * One round. Woken by an attempt that ended, it first refills the freed slot with a due
   * delivery; only when none is due does it read the log. Once per `roundMs` it does everything:
   * queue the log's new events, send, report the backlog, sweep. (A full round per attempt, with
   * the queue on FULL sync, held callback ingest with webhooks on at 0.88 of without; this and
   * NORMAL sync (server/backends.ts) together: 0.99, and deliveries 1,000 → 1,570 a second.)
   */
  private async round(): Promise<void> {
    const { queue } = this.options;
    const endpoint = this.endpoint;
    const full = this.now() - this.lastFullRound >= this.roundMs;
    const state = await queue.endpoint(endpoint.id);
    const sending = state.disabledReason === undefined;
    if (!full && sending && (await this.sendDue()) > 0) return;
    // A disabled endpoint's events are still queued (to its bound): its backlog is kept and shown.
    await this.queueNewEvents(state.cursor);
    if (sending) await this.sendDue();
    if (!full) return;
    this.lastFullRound = this.now();
    await this.observeBacklog();
    if (this.now() - this.lastSweep > SWEEP_MS) {
      this.lastSweep = this.now();
      await queue.sweep(endpoint.id, this.now() - EVENT_RETENTION_MS);
    }
  }

  private async queueNewEvents(cursor: string | undefined): Promise<void> {
    const { store, queue, maxBacklog } = this.options;
    const endpoint = this.endpoint;
    if (cursor === undefined) {
      // A new endpoint starts at the log's end: it hears what happens from now on.
      await queue.enqueue(endpoint.id, [], await store.eventLogEnd());
      return;
    }
    const room = maxBacklog - (await queue.backlog(endpoint.id)).pending;
    if (room <= 0) return;
    const events = await store.eventsAfter(cursor, Math.min(room, BATCH));
    if (events.length === 0) return;
    // The cursor moves past the events of types the endpoint does not take, too.
    const batch = events
      .filter((event) => takesType(endpoint.types, event.type))
      .map((event) => ({ eventId: event.id, body: webhookBody(event) }));
    await queue.enqueue(endpoint.id, batch, events.at(-1)!.cursor);
  }

  /** Claims due deliveries for the free slots and sends them; answers how many it claimed. */
  private async sendDue(): Promise<number> {
    const { queue, leaseMs, concurrency } = this.options;
    const endpoint = this.endpoint;
    const free = concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const claimed = await queue.claim(endpoint.id, this.now(), leaseMs, free);
    for (const delivery of claimed) {
      const attempt = this.attempt(delivery).finally(() => {
        this.inFlight.delete(attempt);
        this.wake();
      });
      this.inFlight.add(attempt);
    }
    return claimed.length;
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const { sender, queue, logger, metrics } = this.options;
    const endpoint = this.endpoint;
    const outcome = await sender.send(endpoint.url, signingSecrets(endpoint.secrets, this.now()), delivery);
    const at = this.now();
    const status = outcome.status;
    const error = outcome.kind === 'retry' || outcome.kind === 'final' ? outcome.error : undefined;
    const record = (state: 'pending' | 'delivered' | 'failed', nextAt?: number) =>
      queue.record(delivery, { at, status, error }, { state, nextAt });
    try {
      if (outcome.kind === 'delivered') {
        metrics.webhookDeliveries.inc({ outcome: 'delivered' });
        return await record('delivered');
      }
      const nextAt = this.nextAttemptAt(delivery, outcome, at);
      metrics.webhookDeliveries.inc({ outcome: outcome.kind === 'gone' ? 'gone' : nextAt ? 'retry' : 'failed' });
      logger.warn('app webhook delivery failed', {
        endpoint: endpoint.id,
        eventId: delivery.eventId,
        attempt: delivery.attempts + 1,
        status,
        error,
        retryInSeconds: nextAt === undefined ? undefined : Math.round((nextAt - at) / 1000),
      });
      await record(nextAt === undefined ? 'failed' : 'pending', nextAt);
      if (outcome.kind === 'gone') await this.disable('the endpoint answered 410 Gone');
      else if (outcome.kind === 'retry' && nextAt === undefined) {
        await this.disable('a delivery failed through the whole retry schedule');
      }
    } catch (failure) {
      // Not recorded (the store is away): the lease lapses and the delivery is sent again, same id.
      logger.warn('app webhook attempt not recorded', {
        endpoint: endpoint.id,
        eventId: delivery.eventId,
        error: String(failure),
      });
    }
  }

  /** Stops sending to the endpoint: its events are still queued (to the bound) and counted. */
  private async disable(reason: string): Promise<void> {
    await this.options.queue.disable(this.endpoint.id, reason);
    this.options.logger.error('app webhook endpoint disabled', { endpoint: this.endpoint.id, reason });
  }

  /** When to try again, or undefined when this delivery is over. */
  private nextAttemptAt(delivery: Delivery, outcome: AttemptOutcome, at: number): number | undefined {
    if (outcome.kind !== 'retry') return undefined;
    const delay = retryDelay(this.options.retryDelaysMs, delivery.attempts + 1, outcome.retryAfterMs);
    return delay === undefined ? undefined : at + delay;
  }

  private async observeBacklog(): Promise<void> {
    const endpoint = this.endpoint.id;
    const { pending, oldestPendingAt } = await this.options.queue.backlog(endpoint);
    this.options.metrics.webhookBacklog.set({ endpoint }, pending);
    this.options.metrics.webhookOldestPendingSeconds.set(
      { endpoint },
      oldestPendingAt === undefined ? 0 : (this.now() - oldestPendingAt) / 1000,
    );
  }

  /** Drops the endpoint's gauges (it was removed). */
  forgetMetrics(): void {
    this.options.metrics.webhookBacklog.remove({ endpoint: this.endpoint.id });
    this.options.metrics.webhookOldestPendingSeconds.remove({ endpoint: this.endpoint.id });
  }
}

/** Whether an endpoint with these event types (undefined: every type) takes events of `type`. */
export function takesType(types: readonly string[] | undefined, type: string): boolean {
  return types === undefined || types.includes(type);
}

/** The secrets that sign now: the current one, and rotated-out ones until they expire. */
function signingSecrets(secrets: readonly { secret: string; expiresAt: number | undefined }[], now: number): string[] {
  return secrets.filter(({ expiresAt }) => expiresAt === undefined || expiresAt > now).map(({ secret }) => secret);
}
