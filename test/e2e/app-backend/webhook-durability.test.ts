/**
 * Webhooks lose nothing: a kill -9 during a delivery, or between a change and its delivery,
 * is followed by the delivery after the restart (same id for the one under way); two
 * instances on one Redis deliver each event once; a receiver that always fails leaves a
 * bounded backlog while the rest waits in the event log; a rotating secret signs twice.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  EraseOwnerDocument,
  TranscriptDocument,
  VideoDocument,
  VideoEventsDocument,
} from '../../generated/operations.js';
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
import { startS3Server } from '../../utils/s3-server.js';
import { tusUpload } from '../../utils/tus-client.js';
import { asAlice, asBob, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';
import { appWebhookEnv, metricValue, newWebhookSecret, WebhookReceiver } from '../../utils/webhook-receiver.js';

const hasRedis = await requireRedis('test/e2e/app-backend/webhook-durability.test.ts');
const secret = newWebhookSecret();
const SERVICE_KEY = 'service-key-for-webhook-durability-1';
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

describe.skipIf(!hasRedis)('two instances on one Redis, every event type', () => {
  it('each type is delivered, each event once: registered, status_changed, ready, failed, deleted, transcript.ready, upload.failed, owner.erased', async () => {
    const receiver = await new WebhookReceiver([secret]).start();
    const s3 = await startS3Server();
    const prefix = uniquePrefix();
    const env = webhookEnv(receiver, {
      ...TWO_CLIENT_KEYS,
      ...s3.env,
      GATEWAY_SERVICE_KEYS: `backend:${SERVICE_KEY}`,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    });
    const stacks: Stack[] = [];
    try {
      stacks.push(await startStack({ sharedSimulator: simulator, env }));
      stacks.push(await startStack({ sharedSimulator: simulator, env, gateway: { erasureRetryMs: 10 } }));
      const [a, b] = stacks as [Stack, Stack];
      const ready = await uploadSmallVideo(a.graphqlUrl, asAlice);
      const failed = await uploadSmallVideo(b.graphqlUrl, asAlice);
      const bobs = await uploadSmallVideo(b.graphqlUrl, asBob);
      expect((await simulator.sendCallback(ready, 'PARSE')).httpStatus).toBe(200);
      expect((await simulator.sendCallback(failed, 'FAIL')).httpStatus).toBe(200);
      // transcript.ready: the original family's transcription task, finished by its callback.
      await postGraphQL(b.graphqlUrl, TranscriptDocument, { videoNo: ready, kind: 'SPEECH' }, asAlice);
      const task = [...simulator.transcriptionTasks.values()].find((t) => t.videoNo === ready);
      if (task) expect((await simulator.finishTranscription(task.taskNo)).httpStatus).toBe(200);
      // upload.failed: a resumable upload that is not a video, refused for good.
      await tusUpload({ endpoint: `${a.url}/uploads`, file: randomBytes(32 * 1024), headers: asAlice });
      await postGraphQL(a.graphqlUrl, DeleteVideosDocument, { videoNos: [failed] }, asAlice);
      // owner.erased (and video.deleted for Bob's video), the job run by B.
      const erasing = await postGraphQL(
        b.graphqlUrl,
        EraseOwnerDocument,
        { owner: { key: 'bob', user: null, tenant: null } },
        { authorization: `Bearer ${SERVICE_KEY}` },
      );
      expect(erasing.body.data?.eraseOwner?.state).toBe('RUNNING');

      const expected: Record<string, number> = {
        'video.registered': 3,
        'video.status_changed': 2,
        'video.ready': 1,
        'video.failed': 1,
        'video.deleted': 2,
        'transcript.ready': task ? 1 : 0,
        'upload.failed': 1,
        'owner.erased': 1,
      };
      const total = Object.values(expected).reduce((sum, count) => sum + count, 0);
      await receiver.waitFor(() => receiver.deliveries.length >= total);
      for (const stack of stacks) {
        await waitUntil(async () => (await metric(stack.url, 'mavi_gateway_app_webhook_backlog')) === 0);
      }
      const counted: Record<string, number> = {};
      for (const delivery of receiver.deliveries) {
        counted[delivery.payload!.type] = (counted[delivery.payload!.type] ?? 0) + 1;
      }
      expect(counted).toEqual(Object.fromEntries(Object.entries(expected).filter(([, count]) => count > 0)));
      const ids = receiver.deliveries.map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(receiver.ofType('owner.erased')[0]!.payload!.data).toMatchObject({ videoNos: [bobs], state: 'DONE' });
    } finally {
      for (const stack of stacks) await stack.stop();
      await s3.stop();
      await receiver.stop();
      await dropPrefix(prefix);
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
