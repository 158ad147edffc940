/**
 * The app's webhook endpoints, managed by its service callers: make, list, change, delete,
 * rotate a secret, send a test event, see recent deliveries and send one again
 * (docs/app-backend.md). APP_WEBHOOK_URL's endpoint is listed too, as `configured`.
 */
import type { DeliveryRecord } from '../webhooks/delivery-queue.js';
import {
  MAX_ENDPOINTS,
  MAX_PREVIOUS_SECRET_MS,
  type AppWebhooks,
  type EndpointView,
} from '../webhooks/app-webhooks.js';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/webhook-payload.js';
import { gatewayError } from '../errors.js';
import type { GatewayContext } from './context.js';
import { builder } from './builder.js';
import { requireService } from './video.js';

const WHAT = 'manages webhook endpoints';
const MAX_DELIVERIES_LISTED = 100;

/** The endpoints, for a service caller; INVALID_INPUT for anyone else. */
function endpointsOf(context: GatewayContext): AppWebhooks {
  requireService(context, WHAT);
  // A service key configured means the endpoints exist (server/services.ts).
  if (!context.appWebhooks) throw new Error('service keys are configured but the app webhooks are not');
  return context.appWebhooks;
}

const EVENT_TYPES_DESCRIPTION = `The event types it receives: ${WEBHOOK_EVENT_TYPES.join(', ')}. Null: every type.`;

const WebhookAttempt = builder
  .objectRef<{ at: number; status: number | undefined; error: string | undefined }>('WebhookAttempt')
  .implement({
    description: 'One attempt to deliver an event.',
    fields: (t) => ({
      at: t.field({ type: 'DateTime', description: 'When it was made.', resolve: (attempt) => attempt.at }),
      status: t.int({
        nullable: true,
        description: "The receiver's HTTP status; null when no answer came (timeout, network error, refused address).",
        resolve: (attempt) => attempt.status ?? null,
      }),
      error: t.string({
        nullable: true,
        description: 'Why it failed, in a few words; null for a success.',
        resolve: (attempt) => attempt.error ?? null,
      }),
    }),
  });

const WebhookDeliveryState = builder.enumType('WebhookDeliveryState', {
  description: 'Where a delivery is.',
  values: {
    PENDING: { description: 'Not delivered yet: due at `nextAttemptAt`.' },
    DELIVERED: { description: 'The receiver answered 2xx.' },
    FAILED: { description: 'Not delivered, for good: a final answer (4xx), or the whole retry schedule spent.' },
  } as const,
});

const WebhookDelivery = builder.objectRef<DeliveryRecord>('WebhookDelivery').implement({
  description: 'One event sent (or to be sent) to one endpoint, and what each attempt answered.',
  fields: (t) => ({
    eventId: t.exposeID('eventId', {
      description: 'The `webhook-id` of every attempt: the receiver’s idempotency key.',
    }),
    type: t.string({
      description: 'The event type (or webhook.test).',
      resolve: (delivery) => (JSON.parse(delivery.body) as { type: string }).type,
    }),
    payload: t.exposeString('body', { description: 'The exact body every attempt sends (JSON).' }),
    state: t.field({
      type: WebhookDeliveryState,
      description: 'Where it is.',
      resolve: (delivery) =>
        delivery.state === 'pending' ? 'PENDING' : delivery.state === 'delivered' ? 'DELIVERED' : 'FAILED',
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was queued.',
      resolve: (delivery) => delivery.createdAt,
    }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it is tried next, while PENDING.',
      resolve: (delivery) => delivery.dueAt ?? null,
    }),
    attempts: t.field({
      type: [WebhookAttempt],
      description: 'The attempts made, oldest first (the latest 20).',
      resolve: (delivery) => delivery.history,
    }),
  }),
});

const WebhookEndpoint = builder.objectRef<EndpointView>('WebhookEndpoint').implement({
  description: "An endpoint of the app's backend that receives the gateway's events, signed per Standard Webhooks.",
  fields: (t) => ({
    id: t.exposeID('id', { description: '"app" for APP_WEBHOOK_URL\'s; `we_…` for one made here.' }),
    url: t.exposeString('url', { description: 'Where events are posted.' }),
    eventTypes: t.stringList({
      nullable: true,
      description: EVENT_TYPES_DESCRIPTION,
      resolve: (endpoint) => (endpoint.types ? [...endpoint.types] : null),
    }),
    description: t.string({
      nullable: true,
      description: 'The app’s own words for it.',
      resolve: (e) => e.description ?? null,
    }),
    configured: t.exposeBoolean('configured', {
      description: 'True for APP_WEBHOOK_URL’s endpoint: it is changed in the environment, not here.',
    }),
    enabled: t.boolean({
      description: 'False once disabled: by a 410, a spent retry schedule, or `updateWebhookEndpoint(enabled: false)`.',
      resolve: (endpoint) => endpoint.disabledReason === undefined,
    }),
    disabledReason: t.string({
      nullable: true,
      description: 'Why it is disabled; events are still queued for it (to APP_WEBHOOK_MAX_BACKLOG) and kept.',
      resolve: (endpoint) => endpoint.disabledReason ?? null,
    }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was made; null for the configured one.',
      resolve: (endpoint) => endpoint.createdAt ?? null,
    }),
    createdBy: t.string({
      nullable: true,
      description: 'The service key that made it, as `service:<its name>`.',
      resolve: (endpoint) => endpoint.createdBy ?? null,
    }),
    previousSecretExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'While a rotated-out secret still signs beside the new one: when it stops.',
      resolve: (endpoint) => endpoint.previousSecretExpiresAt ?? null,
    }),
    deliveries: t.field({
      type: [WebhookDelivery],
      description: `Its latest deliveries, newest first (kept 7 days after they end).`,
      args: {
        first: t.arg.int({ defaultValue: 20, description: `How many (1 to ${MAX_DELIVERIES_LISTED}).` }),
      },
      resolve: (endpoint, { first }, context) => {
        const limit = first ?? 20;
        if (limit < 1 || limit > MAX_DELIVERIES_LISTED) {
          throw gatewayError('INVALID_INPUT', `first must be from 1 to ${MAX_DELIVERIES_LISTED}.`);
        }
        return endpointsOf(context).deliveries(endpoint.id, limit);
      },
    }),
  }),
});

const WebhookEndpointSecret = builder
  .objectRef<{ endpoint: EndpointView; secret: string }>('WebhookEndpointSecret')
  .implement({
    description: 'An endpoint and its new signing secret: shown this once, keep it in your backend’s secrets.',
    fields: (t) => ({
      endpoint: t.field({ type: WebhookEndpoint, description: 'The endpoint.', resolve: (made) => made.endpoint }),
      secret: t.exposeString('secret', {
        description: 'The `whsec_…` secret to verify deliveries with (standardwebhooks `new Webhook(secret)`).',
      }),
    }),
  });

const WebhookEndpointInput = builder.inputType('WebhookEndpointInput', {
  description: 'What an endpoint is. On an update, a field left out stays as it is.',
  fields: (t) => ({
    url: t.string({
      description:
        'Where to post: a public http(s) URL (an internal address needs APP_WEBHOOK_ALLOW_PRIVATE=on). Required to make one.',
    }),
    eventTypes: t.stringList({ description: EVENT_TYPES_DESCRIPTION }),
    description: t.string({ description: 'Your own words for it (up to 256 characters).' }),
  }),
});

builder.queryField('webhookEndpoints', (t) =>
  t.field({
    type: [WebhookEndpoint],
    nullable: true,
    description: "For the app's service key: every webhook endpoint, the configured one first.",
    resolve: (_root, _args, context) => endpointsOf(context).list(),
  }),
);

builder.queryField('webhookEndpoint', (t) =>
  t.field({
    type: WebhookEndpoint,
    nullable: true,
    description: "For the app's service key: one webhook endpoint; null for an unknown id.",
    args: { id: t.arg.id({ required: true, description: 'The endpoint (`WebhookEndpoint.id`).' }) },
    resolve: async (_root, { id }, context) => (await endpointsOf(context).get(String(id))) ?? null,
  }),
);

builder.mutationField('createWebhookEndpoint', (t) =>
  t.field({
    nullable: true,
    type: WebhookEndpointSecret,
    description: `For the app's service key: a new endpoint (at most ${MAX_ENDPOINTS}). It hears what happens from now on; its secret is answered this once.`,
    args: {
      input: t.arg({
        type: WebhookEndpointInput,
        required: true,
        description: 'What the endpoint is; `url` is required.',
      }),
    },
    resolve: (_root, { input }, context) =>
      endpointsOf(context).create(
        { url: input.url, types: input.eventTypes, description: input.description },
        context.viewer.ownerId,
      ),
  }),
);

builder.mutationField('updateWebhookEndpoint', (t) =>
  t.field({
    nullable: true,
    type: WebhookEndpoint,
    description:
      "For the app's service key: changes an endpoint. `enabled: true` enables a disabled one again, and its kept backlog is sent. The configured endpoint takes only `enabled`.",
    args: {
      id: t.arg.id({ required: true, description: 'The endpoint (`WebhookEndpoint.id`).' }),
      input: t.arg({ type: WebhookEndpointInput, description: 'What changes; a field left out stays.' }),
      enabled: t.arg.boolean({ description: 'Enable (true) or disable (false) it.' }),
    },
    resolve: (_root, { id, input, enabled }, context) =>
      endpointsOf(context).update(String(id), {
        url: input?.url,
        ...(input && 'eventTypes' in input ? { types: input.eventTypes } : {}),
        ...(input && 'description' in input ? { description: input.description } : {}),
        enabled,
      }),
  }),
);

builder.mutationField('deleteWebhookEndpoint', (t) =>
  t.id({
    nullable: true,
    description: "For the app's service key: deletes an endpoint and its deliveries; answers its id.",
    args: { id: t.arg.id({ required: true, description: 'The endpoint (`WebhookEndpoint.id`).' }) },
    resolve: async (_root, { id }, context) => {
      await endpointsOf(context).remove(String(id));
      return id;
    },
  }),
);

builder.mutationField('rotateWebhookSecret', (t) =>
  t.field({
    nullable: true,
    type: WebhookEndpointSecret,
    description:
      "For the app's service key: a new secret signs from now on. The one before signs beside it (both signatures in `webhook-signature`) for `previousSecretValidSeconds`, so receivers change over without a failed delivery.",
    args: {
      id: t.arg.id({ required: true, description: 'The endpoint (`WebhookEndpoint.id`).' }),
      previousSecretValidSeconds: t.arg.int({
        defaultValue: 86_400,
        description: `How long the previous secret still signs (0 to ${MAX_PREVIOUS_SECRET_MS / 1000}; default a day).`,
      }),
    },
    resolve: (_root, { id, previousSecretValidSeconds }, context) =>
      endpointsOf(context).rotateSecret(String(id), (previousSecretValidSeconds ?? 86_400) * 1000),
  }),
);

builder.mutationField('sendTestWebhook', (t) =>
  t.id({
    nullable: true,
    description:
      "For the app's service key: queues a `webhook.test` event for the endpoint, whatever its eventTypes; answers its eventId (see `deliveries`).",
    args: { id: t.arg.id({ required: true, description: 'The endpoint (`WebhookEndpoint.id`).' }) },
    resolve: (_root, { id }, context) => endpointsOf(context).sendTest(String(id)),
  }),
);

builder.mutationField('redeliverWebhook', (t) =>
  t.field({
    nullable: true,
    type: WebhookDelivery,
    description:
      "For the app's service key: sends a delivery again, at once and with the same `webhook-id`, on a fresh retry schedule (its attempts stay listed).",
    args: {
      endpointId: t.arg.id({ required: true, description: 'The endpoint (`WebhookEndpoint.id`).' }),
      eventId: t.arg.id({ required: true, description: 'The delivery (`WebhookDelivery.eventId`).' }),
    },
    resolve: (_root, { endpointId, eventId }, context) =>
      endpointsOf(context).redeliver(String(endpointId), String(eventId)),
  }),
);
