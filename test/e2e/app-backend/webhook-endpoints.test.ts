/**
 * The app's service callers manage webhook endpoints of their own through GraphQL: make one
 * (URL, event types), list, change, disable and enable, delete, rotate its secret (both sign for
 * a window), send a test event, read recent deliveries with each attempt's status, and send one
 * again with the same id. A real receiver verifies every delivery with `standardwebhooks`.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateWebhookEndpointDocument,
  DeleteVideosDocument,
  DeleteWebhookEndpointDocument,
  RedeliverWebhookDocument,
  RotateWebhookSecretDocument,
  SendTestWebhookDocument,
  UpdateWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
  type WebhookEndpointInput,
} from '../../generated/operations.js';
import { postGraphQL } from '../../utils/graphql-clients.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from '../../utils/redis.js';
import { startStack, TEST_MAVI_KEY, TEST_WEBHOOK_SECRET, type Stack } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';
import { newWebhookSecret, WebhookReceiver } from '../../utils/webhook-receiver.js';

const hasRedis = await requireRedis('test/e2e/app-backend/webhook-endpoints.test.ts');
const SERVICE_KEY = 'service-key-that-manages-endpoints-1';
const CLIENT_KEY = 'client-key-that-may-not-manage-them1';
const service = { authorization: `Bearer ${SERVICE_KEY}` };
const client = { authorization: `Bearer ${CLIENT_KEY}` };
const keys = { GATEWAY_API_KEYS: `mobile:${CLIENT_KEY}`, GATEWAY_SERVICE_KEYS: `backend:${SERVICE_KEY}` };

/** A GraphQL answer's body, as the service caller (or `headers`) gets it. */
async function gql<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  headers = service,
) {
  return (await postGraphQL(url, document, variables, headers)).body;
}

const listed = (url: string, headers = service) => gql(url, WebhookEndpointsDocument, {}, headers);
const deliveriesOf = async (url: string, id: string) =>
  (await gql(url, WebhookDeliveriesDocument, { id, first: 10 })).data!.webhookEndpoint!.deliveries;
/** An endpoint's input, every field the caller leaves out given as null. */
const endpointInput = (given: Partial<WebhookEndpointInput>): WebhookEndpointInput => ({
  url: null,
  eventTypes: null,
  description: null,
  ...given,
});
const codeOf = (answer: { errors?: readonly { extensions?: Record<string, unknown> }[] }) =>
  answer.errors?.[0]?.extensions?.code;

async function makeEndpoint(url: string, receiver: WebhookReceiver, input: Partial<WebhookEndpointInput> = {}) {
  const made = await gql(url, CreateWebhookEndpointDocument, { input: endpointInput({ url: receiver.url, ...input }) });
  expect(made.errors).toBeUndefined();
  const { secret, endpoint } = made.data!.createWebhookEndpoint!;
  receiver.secrets.push(secret);
  return { id: endpoint.id, secret, endpoint };
}

/** Waits (re-reading) until `read` answers something, and answers it. */
async function eventually<T>(read: () => Promise<T | false | undefined>): Promise<T> {
  let value: T | false | undefined;
  await waitUntil(async () => Boolean((value = await read())));
  return value as T;
}

let simulator: TestSimulator;
beforeAll(async () => {
  simulator = new TestSimulator({ apiKey: TEST_MAVI_KEY, manualCallbacks: true });
  await simulator.start();
});
afterAll(() => simulator.stop());

describe('endpoints made through GraphQL', () => {
  let stack: Stack;
  const receivers: WebhookReceiver[] = [];
  const receiver = async () => {
    const made = await new WebhookReceiver([]).start();
    receivers.push(made);
    return made;
  };
  beforeAll(async () => {
    stack = await startStack({
      sharedSimulator: simulator,
      env: { ...keys, APP_WEBHOOK_ALLOW_PRIVATE: 'on', APP_WEBHOOK_RETRY_DELAYS_MS: '0,0' },
    });
  });
  afterEach(async () => {
    for (const { id } of (await listed(stack.graphqlUrl)).data!.webhookEndpoints!) {
      await gql(stack.graphqlUrl, DeleteWebhookEndpointDocument, { id });
    }
    for (const made of receivers.splice(0)) await made.stop();
  });
  afterAll(() => stack.stop());

  it('each receives the types it asked for, signed with its own secret', async () => {
    const readyOnly = await receiver();
    const everything = await receiver();
    const a = await makeEndpoint(stack.graphqlUrl, readyOnly, {
      eventTypes: ['video.ready'],
      description: 'push notifications',
    });
    const b = await makeEndpoint(stack.graphqlUrl, everything);
    expect(a.secret).toMatch(/^whsec_/);
    expect(a.endpoint).toMatchObject({
      url: readyOnly.url,
      eventTypes: ['video.ready'],
      description: 'push notifications',
      configured: false,
      enabled: true,
      createdBy: 'service:backend',
    });

    const videoNo = await uploadSmallVideo(stack.graphqlUrl, client);
    await simulator.sendCallback(videoNo, 'PARSE');
    await everything.waitFor(() => everything.ofType('video.ready').length === 1);
    await readyOnly.waitFor(() => readyOnly.ofType('video.ready').length === 1);
    // Deliveries run side by side (APP_WEBHOOK_CONCURRENCY): in any order.
    expect(everything.deliveries.map((d) => d.payload?.type).sort()).toEqual([
      'video.ready',
      'video.registered',
      'video.status_changed',
    ]);
    expect(readyOnly.deliveries.map((d) => d.payload?.type)).toEqual(['video.ready']);
    // Each endpoint signs with its own secret only.
    expect(readyOnly.verifies(readyOnly.deliveries[0]!, [b.secret])).toBe(false);

    const all = await listed(stack.graphqlUrl);
    expect(all.data!.webhookEndpoints!.map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
    // The secret is answered once, at creation: never in a listing.
    expect(JSON.stringify(all)).not.toContain(a.secret.slice(6));
  });

  it('is refused to anyone but a service caller, and nothing is made', async () => {
    const target = await receiver();
    const refused = await gql(
      stack.graphqlUrl,
      CreateWebhookEndpointDocument,
      { input: endpointInput({ url: target.url }) },
      client,
    );
    expect(codeOf(refused)).toBe('INVALID_INPUT');
    expect(refused.errors![0]!.message).toMatch(/service key/);
    expect(codeOf(await listed(stack.graphqlUrl, client))).toBe('INVALID_INPUT');
    expect((await listed(stack.graphqlUrl)).data!.webhookEndpoints).toEqual([]);
  });

  it('refuses bad input with a message that names it, and makes nothing', async () => {
    const target = await receiver();
    const cases: [Partial<WebhookEndpointInput>, string, RegExp][] = [
      [{ url: 'ftp://example.com/hooks' }, 'WEBHOOK_URL_REFUSED', /http: and https:/],
      [{ url: 'https://user:pass@example.com/hooks' }, 'WEBHOOK_URL_REFUSED', /credentials/],
      [{ url: 'not a url' }, 'INVALID_INPUT', /not a valid absolute URL/],
      [{ url: `https://example.com/${'x'.repeat(2100)}` }, 'INVALID_INPUT', /at most 2048/],
      [
        { url: target.url, eventTypes: ['video.exploded'] },
        'INVALID_INPUT',
        /"video.exploded", which is not an event type/,
      ],
      [{ url: target.url, eventTypes: [] }, 'INVALID_INPUT', /eventTypes is empty/],
      [{ url: target.url, description: 'd'.repeat(300) }, 'INVALID_INPUT', /at most 256/],
      [{}, 'INVALID_INPUT', /url is required/],
    ];
    for (const [input, code, message] of cases) {
      const answer = await gql(stack.graphqlUrl, CreateWebhookEndpointDocument, { input: endpointInput(input) });
      expect(codeOf(answer), JSON.stringify(input).slice(0, 80)).toBe(code);
      expect(answer.errors![0]!.message).toMatch(message);
    }
    expect((await listed(stack.graphqlUrl)).data!.webhookEndpoints).toEqual([]);
    const unknown = await gql(stack.graphqlUrl, SendTestWebhookDocument, { id: 'we_nothing' });
    expect(codeOf(unknown)).toBe('WEBHOOK_ENDPOINT_NOT_FOUND');
  });

  it('sends a test event, lists each delivery with its attempts, and redelivers one with the same id', async () => {
    const target = await receiver();
    const { id } = await makeEndpoint(stack.graphqlUrl, target, { eventTypes: ['owner.erased'] });
    // A 400 is final: the test event fails at once.
    target.answers.push({ status: 400 });
    const eventId = (await gql(stack.graphqlUrl, SendTestWebhookDocument, { id })).data!.sendTestWebhook!;
    await target.waitFor(() => target.deliveries.length === 1);
    expect(target.deliveries[0]).toMatchObject({ id: eventId });
    expect(target.deliveries[0]!.payload).toMatchObject({ type: 'webhook.test', data: { endpointId: id } });

    const failed = await eventually(async () => {
      const [delivery] = await deliveriesOf(stack.graphqlUrl, id);
      return delivery?.state === 'FAILED' && delivery;
    });
    expect(failed).toMatchObject({ eventId, type: 'webhook.test', nextAttemptAt: null });
    expect(failed.attempts.map(({ status, error }) => ({ status, error }))).toEqual([
      { status: 400, error: 'HTTP 400' },
    ]);
    expect(JSON.parse(failed.payload)).toMatchObject({ type: 'webhook.test' });

    const again = await gql(stack.graphqlUrl, RedeliverWebhookDocument, { endpointId: id, eventId });
    expect(again.data!.redeliverWebhook).toMatchObject({ eventId });
    await target.waitFor(() => target.deliveries.length === 2);
    expect(target.deliveries[1]!.id).toBe(eventId);
    expect(target.deliveries[1]!.payload?.type).toBe('webhook.test');
    const delivered = await eventually(async () => {
      const [delivery] = await deliveriesOf(stack.graphqlUrl, id);
      return delivery?.state === 'DELIVERED' && delivery;
    });
    expect(delivered.attempts.map(({ status, error }) => ({ status, error }))).toEqual([
      { status: 400, error: 'HTTP 400' },
      { status: 204, error: null },
    ]);

    const unknownDelivery = await gql(stack.graphqlUrl, RedeliverWebhookDocument, {
      endpointId: id,
      eventId: 'msg_nothing',
    });
    expect(codeOf(unknownDelivery)).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
  });

  it('rotates its secret: both sign during the window, and a receiver that knows either verifies', async () => {
    const target = await receiver();
    const { id, secret: first } = await makeEndpoint(stack.graphqlUrl, target);
    const rotate = async (seconds: number) =>
      gql(stack.graphqlUrl, RotateWebhookSecretDocument, { id, previousSecretValidSeconds: seconds });
    const rotated = (await rotate(3600)).data!.rotateWebhookSecret!;
    const second = rotated.secret;
    expect(second).not.toBe(first);
    expect(Date.parse(String(rotated.endpoint.previousSecretExpiresAt))).toBeGreaterThan(Date.now());

    await gql(stack.graphqlUrl, SendTestWebhookDocument, { id });
    const [during] = await target.waitFor(() => target.deliveries.length === 1 && target.deliveries);
    expect(during!.signature.split(' ')).toHaveLength(2);
    expect(target.verifies(during!, [first])).toBe(true);
    expect(target.verifies(during!, [second])).toBe(true);

    // Rotated again with no window: only the newest secret signs.
    const third = (await rotate(0)).data!.rotateWebhookSecret!.secret;
    await gql(stack.graphqlUrl, SendTestWebhookDocument, { id });
    const after = (await target.waitFor(() => target.deliveries.length === 2 && target.deliveries))[1]!;
    expect(after.signature.split(' ')).toHaveLength(1);
    expect(target.verifies(after, [third])).toBe(true);
    expect(target.verifies(after, [first, second])).toBe(false);

    expect(codeOf(await rotate(8 * 24 * 3600))).toBe('INVALID_INPUT');
    expect(stack.logs.some((line) => [first, second, third].some((s) => line.includes(s.slice(6))))).toBe(false);
  });

  it('disabled, keeps its events; enabled again, sends them; changed, takes the new types; deleted, hears nothing', async () => {
    const target = await receiver();
    const { id } = await makeEndpoint(stack.graphqlUrl, target, { eventTypes: ['video.registered'] });
    const disabled = await gql(stack.graphqlUrl, UpdateWebhookEndpointDocument, { id, input: null, enabled: false });
    expect(disabled.data!.updateWebhookEndpoint).toMatchObject({ enabled: false, disabledReason: expect.any(String) });

    const kept = await uploadSmallVideo(stack.graphqlUrl, client);
    await waitUntil(
      async () => (await deliveriesOf(stack.graphqlUrl, id)).length === 1,
      'the event is queued while the endpoint is disabled',
    );
    expect(target.deliveries).toHaveLength(0);

    const enabled = await gql(stack.graphqlUrl, UpdateWebhookEndpointDocument, {
      id,
      enabled: true,
      input: endpointInput({ eventTypes: ['video.deleted'], description: 'deletions' }),
    });
    expect(enabled.data!.updateWebhookEndpoint).toMatchObject({
      enabled: true,
      eventTypes: ['video.deleted'],
      description: 'deletions',
    });
    const [sent] = await target.waitFor(() => target.deliveries.length === 1 && target.deliveries);
    expect(sent!.payload).toMatchObject({ type: 'video.registered', data: { videoNo: kept } });

    // Now only deletions: a new upload is not sent, its deletion is.
    const second = await uploadSmallVideo(stack.graphqlUrl, client);
    await gql(stack.graphqlUrl, DeleteVideosDocument, { videoNos: [second] }, client);
    await target.waitFor(() => target.deliveries.length === 2);
    expect(target.deliveries[1]!.payload).toMatchObject({ type: 'video.deleted', data: { videoNo: second } });

    const deleted = await gql(stack.graphqlUrl, DeleteWebhookEndpointDocument, { id });
    expect(deleted.data!.deleteWebhookEndpoint).toBe(id);
    expect((await gql(stack.graphqlUrl, WebhookDeliveriesDocument, { id, first: null })).data).toEqual({
      webhookEndpoint: null,
    });
    const third = await uploadSmallVideo(stack.graphqlUrl, client);
    await gql(stack.graphqlUrl, DeleteVideosDocument, { videoNos: [third] }, client);
    // A witness endpoint hears a later event: by then the deleted one would have heard the deletion.
    const witness = await receiver();
    await makeEndpoint(stack.graphqlUrl, witness);
    const fourth = await uploadSmallVideo(stack.graphqlUrl, client);
    await witness.waitFor(() => witness.ofType('video.registered').some((d) => d.payload!.data.videoNo === fourth));
    expect(target.deliveries).toHaveLength(2);
    const again = await gql(stack.graphqlUrl, DeleteWebhookEndpointDocument, { id });
    expect(codeOf(again)).toBe('WEBHOOK_ENDPOINT_NOT_FOUND');
  });
});

describe('the endpoint policy on addresses', () => {
  it('refuses an internal address, and a name that resolves to one, unless APP_WEBHOOK_ALLOW_PRIVATE=on', async () => {
    const stack = await startStack({
      sharedSimulator: simulator,
      env: keys,
      gateway: { resolveHost: async (host) => (host === 'hooks.inside.example' ? ['10.1.2.3'] : ['93.184.216.34']) },
    });
    try {
      for (const [url, message] of [
        ['http://127.0.0.1:9/hooks', /127\.0\.0\.1 is a loopback, private or link-local address/],
        ['http://[::1]/hooks', /loopback, private or link-local/],
        ['http://169.254.169.254/latest', /loopback, private or link-local/],
        ['http://localhost/hooks', /the host itself/],
        ['https://hooks.inside.example/in', /resolves to 10\.1\.2\.3/],
      ] as const) {
        const answer = await gql(stack.graphqlUrl, CreateWebhookEndpointDocument, { input: endpointInput({ url }) });
        expect(codeOf(answer), url).toBe('WEBHOOK_URL_REFUSED');
        expect(answer.errors![0]!.message).toMatch(message);
        expect(answer.errors![0]!.message).toMatch(/APP_WEBHOOK_ALLOW_PRIVATE=on/);
      }
      const made = await gql(stack.graphqlUrl, CreateWebhookEndpointDocument, {
        input: endpointInput({ url: 'https://hooks.outside.example/in' }),
      });
      expect(made.data!.createWebhookEndpoint!.endpoint.url).toBe('https://hooks.outside.example/in');
    } finally {
      await stack.stop();
    }
  });
});

describe('the configured endpoint', () => {
  it('is listed as configured, takes enabled, and refuses other changes', async () => {
    const target = await new WebhookReceiver([]).start();
    const stack = await startStack({
      sharedSimulator: simulator,
      env: {
        ...keys,
        APP_WEBHOOK_URL: target.url,
        APP_WEBHOOK_SECRET: newWebhookSecret(),
        APP_WEBHOOK_ALLOW_PRIVATE: 'on',
      },
    });
    try {
      expect((await listed(stack.graphqlUrl)).data!.webhookEndpoints).toEqual([
        expect.objectContaining({ id: 'app', url: target.url, configured: true, enabled: true, eventTypes: null }),
      ]);
      const changed = await gql(stack.graphqlUrl, UpdateWebhookEndpointDocument, {
        id: 'app',
        input: endpointInput({ url: 'https://example.com/' }),
        enabled: null,
      });
      expect(codeOf(changed)).toBe('INVALID_INPUT');
      expect(changed.errors![0]!.message).toMatch(/APP_WEBHOOK_URL/);
      expect(codeOf(await gql(stack.graphqlUrl, DeleteWebhookEndpointDocument, { id: 'app' }))).toBe('INVALID_INPUT');
      const disabled = await gql(stack.graphqlUrl, UpdateWebhookEndpointDocument, {
        id: 'app',
        input: null,
        enabled: false,
      });
      expect(disabled.data!.updateWebhookEndpoint).toMatchObject({ enabled: false });
    } finally {
      await stack.stop();
      await target.stop();
    }
  });
});

describe.skipIf(!hasRedis)('two instances on one Redis', () => {
  it('an endpoint made on one is served by both: each event once; deleted on one, both stop', async () => {
    const prefix = uniquePrefix();
    const env = {
      ...keys,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      APP_WEBHOOK_ALLOW_PRIVATE: 'on',
    };
    const target = await new WebhookReceiver([]).start();
    const stacks: Stack[] = [];
    try {
      stacks.push(await startStack({ sharedSimulator: simulator, env }));
      stacks.push(await startStack({ sharedSimulator: simulator, env }));
      const [a, b] = stacks as [Stack, Stack];
      const { id } = await makeEndpoint(a.graphqlUrl, target);
      expect((await listed(b.graphqlUrl)).data!.webhookEndpoints!.map((e) => e.id)).toEqual([id]);

      const videoNos = [await uploadSmallVideo(a.graphqlUrl, client), await uploadSmallVideo(b.graphqlUrl, client)];
      for (const videoNo of videoNos) await simulator.sendCallback(videoNo, 'PARSE');
      await target.waitFor(() => target.ofType('video.ready').length === 2);
      const sentOnB = await gql(b.graphqlUrl, SendTestWebhookDocument, { id });
      await target.waitFor(() => target.ofType('webhook.test').length === 1);
      const ids = target.deliveries.map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(target.deliveries.filter((d) => d.payload?.type.startsWith('video.'))).toHaveLength(6);
      expect(target.ofType('webhook.test')[0]!.id).toBe(sentOnB.data!.sendTestWebhook);

      await gql(b.graphqlUrl, DeleteWebhookEndpointDocument, { id });
      expect((await listed(a.graphqlUrl)).data!.webhookEndpoints).toEqual([]);
    } finally {
      for (const stack of stacks) await stack.stop();
      await target.stop();
      await dropPrefix(prefix);
    }
  });
});
