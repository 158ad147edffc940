/**
 * Webhooks lose nothing: a kill -9 during a delivery, or between a change and its delivery,
 * is followed by the delivery after the restart (same id for the one under way); two
 * instances on one Redis deliver each event once; a receiver that always fails leaves a
 * bounded backlog while the rest waits in the event log; a rotating secret signs twice.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDocument, VideoEventsDocument } from '../../generated/operations.js';
import {
  killHard,
  restartableDeployment,
  startGatewayProcess,
  type GatewayProcess,
} from '../../utils/gateway-process.js';
import { postGraphQL, subscribeSse } from '../../utils/graphql-clients.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from '../../utils/redis.js';
import { startStack, TEST_MAVI_KEY, TEST_WEBHOOK_SECRET, type Stack } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';
import { appWebhookEnv, metricValue, newWebhookSecret, WebhookReceiver } from '../../utils/webhook-receiver.js';

const hasRedis = await requireRedis('test/e2e/app-backend/webhook-durability.test.ts');
const secret = newWebhookSecret();
let simulator: TestSimulator;
beforeAll(async () => {
  simulator = new TestSimulator({ apiKey: TEST_MAVI_KEY, manualCallbacks: true });
  await simulator.start();
});
afterAll(() => simulator.stop());

const webhookEnv = (receiver: WebhookReceiver, extra: Record<string, string> = {}) =>
  appWebhookEnv(receiver, secret, extra);
const metric = metricValue;

const types = (receiver: WebhookReceiver, videoNo: string) =>
  receiver.deliveries.filter((d) => d.payload?.data.videoNo === videoNo).map((d) => d.payload!.type);

describe('after kill -9', () => {
  it('the delivery under way is sent again with the same id, and changes not yet delivered are delivered', async () => {
    const receiver = await new WebhookReceiver([secret]).start();
    // The first delivery hangs: the gateway is killed while it is under way. One at a time, so
    // the status change's events wait behind it, stored but not delivered, when the kill comes.
    receiver.answers.push({ hangMs: 120_000 });
    const where = await restartableDeployment(
      simulator.url,
      'webhook-durability-',
      webhookEnv(receiver, { APP_WEBHOOK_CONCURRENCY: '1' }),
    );
    let gateway: GatewayProcess | undefined;
    try {
      gateway = startGatewayProcess(where.env);
      let url = await gateway.url;
      const videoNo = await uploadSmallVideo(`${url}/graphql`, {});
      await receiver.waitFor(() => receiver.deliveries.length === 1);
      expect((await simulator.sendCallback(videoNo, 'PARSE')).httpStatus).toBe(200);
      const stored = await postGraphQL(`${url}/graphql`, VideoDocument, { videoNo });
      expect(stored.body.data?.video?.status).toBe('PARSE');
      await killHard(gateway);

      gateway = startGatewayProcess(where.env);
      url = await gateway.url;
      await receiver.waitFor(() => types(receiver, videoNo).length >= 4);
      const [cut, ...after] = receiver.deliveries;
      expect(cut!.payload?.type).toBe('video.registered');
      expect(after.map((d) => d.payload?.type).sort()).toEqual([
        'video.ready',
        'video.registered',
        'video.status_changed',
      ]);
      expect(after.find((d) => d.payload?.type === 'video.registered')!.id).toBe(cut!.id);
      expect(await gateway.stop()).toBe(0);
    } finally {
      if (gateway) await killHard(gateway);
      await receiver.stop();
      rmSync(where.dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasRedis)('after kill -9, on Redis', () => {
  it('the delivery under way is sent again with the same id once its lease lapses', async () => {
    const receiver = await new WebhookReceiver([secret]).start();
    receiver.answers.push({ hangMs: 120_000 });
    const prefix = uniquePrefix();
    // A 5 s deadline: the dead instance's lease (deadline + 5 s) lapses 10 s after its claim.
    const where = await restartableDeployment(
      simulator.url,
      'webhook-durability-redis-',
      webhookEnv(receiver, { REDIS_URL, REDIS_PREFIX: prefix, APP_WEBHOOK_TIMEOUT_MS: '5000' }),
    );
    let gateway: GatewayProcess | undefined;
    try {
      gateway = startGatewayProcess(where.env);
      let url = await gateway.url;
      const videoNo = await uploadSmallVideo(`${url}/graphql`, {});
      const [cut] = await receiver.waitFor(() => receiver.deliveries.length === 1 && receiver.deliveries);
      expect((await simulator.sendCallback(videoNo, 'PARSE')).httpStatus).toBe(200);
      await killHard(gateway);

      gateway = startGatewayProcess(where.env);
      url = await gateway.url;
      // Every event of the video arrives, the cut one again under its id. (On a busy machine the
      // cut attempt may have timed out and been retried before the kill: counted by id, not by
      // delivery.)
      await receiver.waitFor(
        () =>
          new Set(types(receiver, videoNo)).size === 3 && receiver.deliveries.slice(1).some((d) => d.id === cut!.id),
      );
      const again = receiver.deliveries.slice(1).filter((d) => d.id === cut!.id);
      expect(again.length).toBeGreaterThanOrEqual(1);
      expect(again[0]!.payload?.type).toBe('video.registered');
      expect(new Set(receiver.deliveries.map((d) => d.id)).size).toBe(3);
      expect(await gateway.stop()).toBe(0);
    } finally {
      if (gateway) await killHard(gateway);
      await receiver.stop();
      rmSync(where.dataDir, { recursive: true, force: true });
      await dropPrefix(prefix);
    }
  });
});

describe('a receiver that always fails', () => {
  it('leaves a bounded backlog of 1,000 events: the rest waits in the event log, nothing is lost', async () => {
    const receiver = await new WebhookReceiver([secret]).start();
    receiver.answers.push(...Array.from({ length: 2_000 }, () => ({ status: 500 })));
    const stack = await startStack({
      sharedSimulator: simulator,
      // An hour before each retry: every queued delivery stays pending, and the bound holds.
      env: webhookEnv(receiver, { APP_WEBHOOK_MAX_BACKLOG: '50', APP_WEBHOOK_RETRY_DELAYS_MS: '3600000' }),
    });
    try {
      // 1,000 events: 500 uploads (registered), and PARSE for 250 of them (status_changed, ready).
      const videoNos: string[] = [];
      for (let index = 0; index < 500; index += 1) videoNos.push(await uploadSmallVideo(stack.graphqlUrl, {}));
      for (const videoNo of videoNos.slice(0, 250)) await simulator.sendCallback(videoNo, 'PARSE');
      await waitUntil(async () => (await metric(stack.url, 'mavi_gateway_app_webhook_backlog')) === 50);
      await waitUntil(() => receiver.deliveries.length === 50, 'one attempt for each queued delivery');
      const logged = await stack.gateway.parts.store.eventsAfter(undefined, 2_000);
      expect(logged).toHaveLength(1_000);
      // Only the bound's worth was ever queued: the first 50 events of the log.
      expect(new Set(receiver.deliveries.map((d) => d.id))).toEqual(new Set(logged.slice(0, 50).map((e) => e.id)));
      expect(await metric(stack.url, 'mavi_gateway_app_webhook_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
    } finally {
      await stack.stop();
      await receiver.stop();
    }
  });
});

describe('a rotating secret', () => {
  it('signs with both secrets: a receiver that knows either one verifies every delivery', async () => {
    const next = newWebhookSecret();
    const oldOnly = await new WebhookReceiver([secret]).start();
    const stack = await startStack({
      sharedSimulator: simulator,
      env: webhookEnv(oldOnly, { APP_WEBHOOK_SECRET: `${secret} ${next}` }),
    });
    try {
      await uploadSmallVideo(stack.graphqlUrl, {});
      const [delivery] = await oldOnly.waitFor(() => oldOnly.deliveries.length === 1 && oldOnly.deliveries);
      expect(delivery!.payload).toBeDefined();
      expect(oldOnly.verifies(delivery!, [next])).toBe(true);
      expect(delivery!.signature.split(' ')).toHaveLength(2);
    } finally {
      await stack.stop();
      await oldOnly.stop();
    }
  });
});

describe.skipIf(!hasRedis)('two instances on one Redis', () => {
  it('deliver each event once', async () => {
    const receiver = await new WebhookReceiver([secret]).start();
    const prefix = uniquePrefix();
    const env = webhookEnv(receiver, { REDIS_URL, REDIS_PREFIX: prefix, WEBHOOK_SECRET: TEST_WEBHOOK_SECRET });
    const stacks: Stack[] = [];
    try {
      stacks.push(await startStack({ sharedSimulator: simulator, env }));
      stacks.push(await startStack({ sharedSimulator: simulator, env }));
      const [a, b] = stacks as [Stack, Stack];
      const videoNos = [await uploadSmallVideo(a.graphqlUrl, {}), await uploadSmallVideo(b.graphqlUrl, {})];
      for (const videoNo of videoNos) expect((await simulator.sendCallback(videoNo, 'PARSE')).httpStatus).toBe(200);
      await receiver.waitFor(() => receiver.ofType('video.ready').length === 2);
      for (const stack of stacks) {
        await waitUntil(async () => (await metric(stack.url, 'mavi_gateway_app_webhook_backlog')) === 0);
      }
      for (const videoNo of videoNos) {
        // Instances deliver side by side: in any order, but each once.
        expect(types(receiver, videoNo).sort()).toEqual(['video.ready', 'video.registered', 'video.status_changed']);
      }
      expect(receiver.deliveries.every((d) => d.payload !== undefined)).toBe(true);

      // videoEvents on A hears a change made through B: the log is shared, the signal crosses.
      const feed = subscribeSse(a.graphqlUrl, VideoEventsDocument, { after: null });
      await waitUntil(() => a.gateway.parts.status.logSignals.size === 1, 'A listens');
      const third = await uploadSmallVideo(b.graphqlUrl, {});
      const [event] = await feed.collected.waitForEvents(1);
      expect(event!.data!.videoEvents).toMatchObject({ type: 'video.registered', videoNo: third });
      feed.close();
    } finally {
      for (const stack of stacks) await stack.stop();
      await receiver.stop();
      await dropPrefix(prefix);
    }
  });
});
