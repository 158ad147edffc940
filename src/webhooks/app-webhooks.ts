/**
 * The app's webhook endpoints: the configured one (APP_WEBHOOK_URL, id "app") and those the
 * app's service callers make through GraphQL. Each has a dispatcher of its own; made ones are
 * stored in the delivery queue's store, so every instance (and a restart) sees them: each
 * instance reads them again every few seconds and starts, changes or stops its dispatchers.
 *
 * Made endpoints are the deployment's, not one service key's: every service key is the app's
 * own backend, and a key that is replaced must not orphan the endpoints it made.
 */
import { randomBytes } from 'node:crypto';
import { gatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { publicUrlRefusal, urlShapeRefusal, type HostResolver } from '../net/public-url.js';
import type { StatusStore } from '../status/status-store.js';
import type { DeliveryQueue, DeliveryRecord, EndpointSettings, SigningSecret } from './delivery-queue.js';
import { takesType, WebhookDispatcher, type WebhookEndpoint } from './webhook-dispatcher.js';
import { eventBody, TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES } from './webhook-payload.js';
import type { WebhookSender } from './webhook-sender.js';

/** The configured endpoint's id. */
const CONFIGURED_ENDPOINT_ID = 'app';
/** Made endpoints one deployment may have: each runs rounds on every instance. */
export const MAX_ENDPOINTS = 20;
const MAX_URL_CHARS = 2048;
const MAX_DESCRIPTION_CHARS = 256;
/** How long a rotated-out secret still signs, unless the rotation says otherwise. */
const DEFAULT_PREVIOUS_SECRET_MS = 24 * 60 * 60 * 1000;
/** The longest a rotated-out secret may go on signing. */
export const MAX_PREVIOUS_SECRET_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_REFRESH_MS = 2_000;

/** An endpoint as service callers see it: never its secrets. */
export interface EndpointView {
  id: string;
  url: string;
  types: readonly string[] | undefined;
  description: string | undefined;
  /** True for APP_WEBHOOK_URL's endpoint: changed in the environment, not through GraphQL. */
  configured: boolean;
  createdAt: number | undefined;
  createdBy: string | undefined;
  disabledReason: string | undefined;
  /** When the last rotated-out secret stops signing; undefined when none signs any more. */
  previousSecretExpiresAt: number | undefined;
}

export interface EndpointInput {
  url?: string | null;
  /** Null or absent: every type. */
  types?: readonly string[] | null;
  description?: string | null;
}

export interface AppWebhooksOptions {
  store: Pick<StatusStore, 'eventsAfter' | 'eventLogEnd'>;
  queue: DeliveryQueue;
  sender: WebhookSender;
  /** APP_WEBHOOK_URL and its secrets, when set. */
  configured: { url: string; secrets: readonly string[] } | undefined;
  delivery: {
    retryDelaysMs: readonly number[];
    leaseMs: number;
    concurrency: number;
    maxBacklog: number;
    /** APP_WEBHOOK_ALLOW_PRIVATE: endpoints inside the operator's network are allowed. */
    allowPrivate: boolean;
  };
  /** Resolves endpoint host names when they are made or changed (tests name hosts of their own). */
  resolveHost?: HostResolver;
  logger: Logger;
  metrics: GatewayMetrics;
  /** How often made endpoints are read again, for changes made on another instance. */
  refreshMs?: number;
  now?: () => number;
}

export class AppWebhooks {
  private readonly dispatchers = new Map<string, WebhookDispatcher>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: AppWebhooksOptions) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    const { configured } = this.options;
    if (configured) {
      const secrets = configured.secrets.map((secret) => ({ secret, expiresAt: undefined }));
      await this.startDispatcher({ id: CONFIGURED_ENDPOINT_ID, url: configured.url, secrets, types: undefined }, true);
    }
    await this.refresh().catch((error: unknown) => this.refreshFailed(error));
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.refreshFailed(error));
    }, this.options.refreshMs ?? DEFAULT_REFRESH_MS);
    this.timer.unref();
  }

  /** Stops every dispatcher; the attempts under way end within the sender's deadline. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.refreshing.catch(() => undefined);
    await Promise.all([...this.dispatchers.values()].map((dispatcher) => dispatcher.stop()));
  }

  /**
   * Queues an event that is not in the video event log (owner.erased, upload.failed) for every
   * endpoint that takes its type, once per id. The endpoints are read from the store, not this
   * instance's view, so one made a moment ago on another instance gets it too.
   */
  async sendEvent(id: string, type: string, data: Record<string, unknown>): Promise<void> {
    const body = eventBody(type, this.now(), data);
    const saved = await this.options.queue.savedEndpoints();
    const endpoints = [
      ...(this.options.configured ? [{ id: CONFIGURED_ENDPOINT_ID, types: undefined }] : []),
      ...saved,
    ];
    for (const endpoint of endpoints) {
      if (!takesType(endpoint.types, type)) continue;
      await this.options.queue.enqueue(endpoint.id, [{ eventId: id, body }], undefined);
      this.dispatchers.get(endpoint.id)?.wake();
    }
  }

  async list(): Promise<EndpointView[]> {
    const saved = await this.options.queue.savedEndpoints();
    const views = await Promise.all(saved.map((settings) => this.viewOf(settings)));
    return this.options.configured ? [await this.configuredView(), ...views] : views;
  }

  async get(id: string): Promise<EndpointView | undefined> {
    if (id === CONFIGURED_ENDPOINT_ID) return this.options.configured ? this.configuredView() : undefined;
    const settings = await this.saved(id);
    return settings && this.viewOf(settings);
  }

  /** Makes an endpoint; answers it and its secret (shown this once). */
  async create(input: EndpointInput, createdBy: string): Promise<{ endpoint: EndpointView; secret: string }> {
    if (!input.url) throw gatewayError('INVALID_INPUT', 'url is required.');
    const url = await this.checkUrl(input.url);
    const types = checkTypes(input.types);
    const description = checkDescription(input.description);
    const saved = await this.options.queue.savedEndpoints();
    if (saved.length >= MAX_ENDPOINTS) {
      throw gatewayError(
        'INVALID_INPUT',
        `This deployment has ${MAX_ENDPOINTS} webhook endpoints, the most it takes: delete one first.`,
      );
    }
    const secret = newSecret();
    this.options.logger.addSecret(secret);
    const settings: EndpointSettings = {
      id: `we_${randomBytes(12).toString('base64url')}`,
      url,
      types,
      description,
      secrets: [{ secret, expiresAt: undefined }],
      createdAt: this.now(),
      createdBy,
    };
    await this.options.queue.saveEndpoint(settings);
    this.options.logger.info('app webhook endpoint made', { endpoint: settings.id, createdBy });
    await this.refresh();
    return { endpoint: await this.viewOf(settings), secret };
  }

  /**
   * Changes what is given (a null `types` means every type); `enabled` enables a disabled
   * endpoint again, or disables it. The configured endpoint takes only `enabled`.
   */
  async update(id: string, input: EndpointInput & { enabled?: boolean | null }): Promise<EndpointView> {
    const { queue } = this.options;
    const changesSettings = input.url != null || input.types !== undefined || input.description !== undefined;
    if (id === CONFIGURED_ENDPOINT_ID && this.options.configured) {
      if (changesSettings) throw configuredRefusal();
    } else {
      const settings = await this.requireSaved(id);
      if (changesSettings) {
        const changed: EndpointSettings = {
          ...settings,
          url: input.url != null ? await this.checkUrl(input.url) : settings.url,
          types: input.types !== undefined ? checkTypes(input.types) : settings.types,
          description: input.description !== undefined ? checkDescription(input.description) : settings.description,
        };
        await queue.saveEndpoint(changed);
      }
    }
    if (input.enabled === true) await queue.enable(id);
    if (input.enabled === false) await queue.disable(id, 'disabled by the app (updateWebhookEndpoint)');
    await this.refresh();
    this.dispatchers.get(id)?.wake();
    return (await this.get(id))!;
  }

  /** Forgets the endpoint and every delivery it has: nothing more is sent to it. */
  async remove(id: string): Promise<void> {
    if (id === CONFIGURED_ENDPOINT_ID && this.options.configured) throw configuredRefusal();
    await this.requireSaved(id);
    await this.stopDispatcher(id);
    await this.options.queue.removeEndpoint(id);
    this.options.logger.info('app webhook endpoint removed', { endpoint: id });
  }

  /**
   * A new secret signs from now on; the one before goes on signing, beside it, for
   * `previousSecretValidMs`, so receivers can change over without missing a delivery.
   */
  async rotateSecret(
    id: string,
    previousSecretValidMs = DEFAULT_PREVIOUS_SECRET_MS,
  ): Promise<{ endpoint: EndpointView; secret: string }> {
    if (id === CONFIGURED_ENDPOINT_ID && this.options.configured) throw configuredRefusal();
    if (!Number.isInteger(previousSecretValidMs) || previousSecretValidMs < 0) {
      throw gatewayError('INVALID_INPUT', 'The previous secret must stay valid for zero or more whole seconds.');
    }
    if (previousSecretValidMs > MAX_PREVIOUS_SECRET_MS) {
      throw gatewayError(
        'INVALID_INPUT',
        `The previous secret may stay valid for at most ${MAX_PREVIOUS_SECRET_MS / 1000} seconds (7 days).`,
      );
    }
    const settings = await this.requireSaved(id);
    const now = this.now();
    const until = now + previousSecretValidMs;
    const secret = newSecret();
    this.options.logger.addSecret(secret);
    // Each earlier secret signs until its own end, or the new window's, whichever comes first.
    const previous = settings.secrets
      .map(({ secret: old, expiresAt }): SigningSecret => ({
        secret: old,
        expiresAt: Math.min(expiresAt ?? until, until),
      }))
      .filter(({ expiresAt }) => expiresAt! > now);
    const rotated = { ...settings, secrets: [{ secret, expiresAt: undefined }, ...previous] };
    await this.options.queue.saveEndpoint(rotated);
    this.options.logger.info('app webhook endpoint secret rotated', { endpoint: id });
    await this.refresh();
    return { endpoint: await this.viewOf(rotated), secret };
  }

  /** Queues a `webhook.test` event for the endpoint (whatever types it takes); answers its id. */
  async sendTest(id: string): Promise<string> {
    await this.requireEndpoint(id);
    const eventId = `msg_test_${randomBytes(12).toString('base64url')}`;
    const body = eventBody(TEST_EVENT_TYPE, this.now(), { endpointId: id });
    await this.options.queue.enqueue(id, [{ eventId, body }], undefined);
    this.dispatchers.get(id)?.wake();
    return eventId;
  }

  async deliveries(id: string, limit: number): Promise<DeliveryRecord[]> {
    return this.options.queue.deliveries(id, limit);
  }

  /** Sends a delivery again (same webhook-id), on a fresh schedule. */
  async redeliver(id: string, eventId: string): Promise<DeliveryRecord> {
    await this.requireEndpoint(id);
    const redelivered = await this.options.queue.redeliver(id, eventId, this.now());
    if (!redelivered) throw gatewayError('WEBHOOK_DELIVERY_NOT_FOUND');
    this.dispatchers.get(id)?.wake();
    return redelivered;
  }

  /** Starts, changes and stops this instance's dispatchers to match the stored endpoints; one at a time. */
  private refresh(): Promise<void> {
    const next = this.refreshing.catch(() => undefined).then(() => this.sync());
    this.refreshing = next;
    return next;
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const saved = await this.options.queue.savedEndpoints();
    const ids = new Set(saved.map(({ id }) => id));
    for (const settings of saved) {
      // Made on any instance: this one's log lines scrub its secrets too.
      for (const { secret } of settings.secrets) this.options.logger.addSecret(secret);
      const endpoint = { id: settings.id, url: settings.url, secrets: settings.secrets, types: settings.types };
      const running = this.dispatchers.get(settings.id);
      if (running) running.update(endpoint);
      else await this.startDispatcher(endpoint, false);
    }
    for (const id of this.dispatchers.keys()) {
      if (id !== CONFIGURED_ENDPOINT_ID && !ids.has(id)) await this.stopDispatcher(id);
    }
  }

  private async startDispatcher(endpoint: WebhookEndpoint, enableAtStart: boolean): Promise<void> {
    if (this.stopped) return;
    const { store, queue, sender, delivery, logger, metrics } = this.options;
    const dispatcher = new WebhookDispatcher({
      store,
      queue,
      sender,
      endpoint,
      enableAtStart,
      ...delivery,
      logger,
      metrics,
      now: this.options.now,
    });
    this.dispatchers.set(endpoint.id, dispatcher);
    await dispatcher.start();
  }

  private async stopDispatcher(id: string): Promise<void> {
    const dispatcher = this.dispatchers.get(id);
    if (!dispatcher) return;
    this.dispatchers.delete(id);
    await dispatcher.stop();
    dispatcher.forgetMetrics();
  }

  private refreshFailed(error: unknown): void {
    // The store is away: the next refresh tries again; the dispatchers run on.
    this.options.logger.warn('app webhook endpoints could not be read', { error: String(error) });
  }

  private async saved(id: string): Promise<EndpointSettings | undefined> {
    return (await this.options.queue.savedEndpoints()).find((settings) => settings.id === id);
  }

  private async requireSaved(id: string): Promise<EndpointSettings> {
    const settings = await this.saved(id);
    if (!settings) throw gatewayError('WEBHOOK_ENDPOINT_NOT_FOUND');
    return settings;
  }

  private async requireEndpoint(id: string): Promise<void> {
    if (!(await this.get(id))) throw gatewayError('WEBHOOK_ENDPOINT_NOT_FOUND');
  }

  private async checkUrl(raw: string): Promise<string> {
    if (raw.length > MAX_URL_CHARS) {
      throw gatewayError('INVALID_INPUT', `url has ${raw.length} characters; at most ${MAX_URL_CHARS} are taken.`);
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw gatewayError('INVALID_INPUT', 'url is not a valid absolute URL.');
    }
    const refused = this.options.delivery.allowPrivate
      ? urlShapeRefusal(url)
      : await publicUrlRefusal(url, this.options.resolveHost);
    if (refused !== undefined) {
      const allow = this.options.delivery.allowPrivate
        ? ''
        : ' (APP_WEBHOOK_ALLOW_PRIVATE=on allows internal addresses)';
      throw gatewayError('WEBHOOK_URL_REFUSED', `${refused}${allow}`);
    }
    return url.href;
  }

  private async configuredView(): Promise<EndpointView> {
    const state = await this.options.queue.endpoint(CONFIGURED_ENDPOINT_ID);
    return {
      id: CONFIGURED_ENDPOINT_ID,
      url: this.options.configured!.url,
      types: undefined,
      description: 'APP_WEBHOOK_URL',
      configured: true,
      createdAt: undefined,
      createdBy: undefined,
      disabledReason: state.disabledReason,
      previousSecretExpiresAt: undefined,
    };
  }

  private async viewOf(settings: EndpointSettings): Promise<EndpointView> {
    const state = await this.options.queue.endpoint(settings.id);
    const now = this.now();
    const previous = settings.secrets
      .map(({ expiresAt }) => expiresAt)
      .filter((expiresAt): expiresAt is number => expiresAt !== undefined && expiresAt > now);
    return {
      id: settings.id,
      url: settings.url,
      types: settings.types,
      description: settings.description,
      configured: false,
      createdAt: settings.createdAt,
      createdBy: settings.createdBy,
      disabledReason: state.disabledReason,
      previousSecretExpiresAt: previous.length > 0 ? Math.max(...previous) : undefined,
    };
  }
}

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function configuredRefusal() {
  return gatewayError(
    'INVALID_INPUT',
    'The endpoint "app" is configured by APP_WEBHOOK_URL and APP_WEBHOOK_SECRET: change it there (it can only be enabled or disabled here).',
  );
}

function checkTypes(types: readonly string[] | null | undefined): readonly string[] | undefined {
  if (types == null) return undefined;
  if (types.length === 0)
    throw gatewayError('INVALID_INPUT', 'eventTypes is empty: leave it out (or null) for every type.');
  const known: readonly string[] = WEBHOOK_EVENT_TYPES;
  const unknown = types.find((type) => !known.includes(type));
  if (unknown !== undefined) {
    throw gatewayError(
      'INVALID_INPUT',
      `eventTypes has "${unknown.slice(0, 64)}", which is not an event type: ${WEBHOOK_EVENT_TYPES.join(', ')}.`,
    );
  }
  return [...new Set(types)];
}

function checkDescription(description: string | null | undefined): string | undefined {
  if (description == null || description === '') return undefined;
  if (description.length > MAX_DESCRIPTION_CHARS) {
    throw gatewayError(
      'INVALID_INPUT',
      `description has ${description.length} characters; at most ${MAX_DESCRIPTION_CHARS} are taken.`,
    );
  }
  return description;
}
