/**
 * The app's backend hears every change to its videos: signed webhooks (Standard Webhooks,
 * verified here with `standardwebhooks`), delivered at least once with a stable id, retried on
 * the schedule, honouring Retry-After, cut at the deadline, and never sent into the operator's
 * network unless allowed. Runs against both MAVI API families.
 */
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { WebhookSender } from '../../../src/webhooks/webhook-sender.js';
import { DeleteVideosDocument, TranscriptDocument } from '../../generated/operations.js';
import { testFamily } from '../../utils/family.js';
import { postGraphQL } from '../../utils/graphql-clients.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { MP4_HEADER } from '../../utils/multipart-client.js';
import { createUpload, patchUpload, tusUpload, uploadIdOf } from '../../utils/tus-client.js';
import { asAlice, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';
import { appWebhookEnv, metricValue, newWebhookSecret, WebhookReceiver } from '../../utils/webhook-receiver.js';

const secret = newWebhookSecret();
const webhookEnv = (receiver: WebhookReceiver, extra: Record<string, string> = {}) =>
  appWebhookEnv(receiver, secret, extra);
const metric = (stack: Stack, name: string) => metricValue(stack.url, name);

describe('every event, signed, once', () => {
  let receiver: WebhookReceiver;
  let stack: Stack;
  beforeAll(async () => {
    receiver = await new WebhookReceiver([secret]).start();
    stack = await startStack({ simulator: { manualCallbacks: true }, env: webhookEnv(receiver) });
  });
  afterAll(async () => {
    await stack.stop();
    await receiver.stop();
  });

  it('registered, status_changed, ready, failed and deleted reach the receiver, each verified and once', async () => {
    const ready = await uploadSmallVideo(stack.graphqlUrl, {});
    const failed = await uploadSmallVideo(stack.graphqlUrl, {});
    await receiver.waitFor(() => receiver.ofType('video.registered').length === 2);

    await stack.simulator.sendCallback(ready, 'PARSE');
    await stack.simulator.sendCallback(failed, 'FAIL');
    await receiver.waitFor(
      () => receiver.ofType('video.ready').length === 1 && receiver.ofType('video.failed').length === 1,
    );

    const deleted = await postGraphQL(stack.graphqlUrl, DeleteVideosDocument, { videoNos: [ready] }, {});
    expect(deleted.body.data?.deleteVideos?.deleted).toEqual([ready]);
    await receiver.waitFor(() => receiver.ofType('video.deleted').length === 1);

    // Every delivery verified with the secret; every event came once.
    expect(receiver.deliveries.every((delivery) => delivery.payload !== undefined)).toBe(true);
    const ids = receiver.deliveries.map((delivery) => delivery.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Deliveries run side by side (APP_WEBHOOK_CONCURRENCY): a change's events arrive in any order.
    const about = (videoNo: string) =>
      receiver.deliveries
        .filter((delivery) => delivery.payload!.data.videoNo === videoNo)
        .map((d) => d.payload!.type)
        .sort();
    expect(about(ready)).toEqual(['video.deleted', 'video.ready', 'video.registered', 'video.status_changed']);
    expect(about(failed)).toEqual(['video.failed', 'video.registered', 'video.status_changed']);

    const changed = receiver.ofType('video.status_changed').find((d) => d.payload!.data.videoNo === ready)!;
    expect(changed.payload).toMatchObject({
      type: 'video.status_changed',
      data: { videoNo: ready, status: 'PARSE', previousStatus: 'UNPARSE', owner: null, passthrough: null },
    });
    expect(Date.parse(changed.payload!.timestamp)).not.toBeNaN();
    expect(changed.id).toMatch(/^msg_/);

    // A tampered body, or another secret, does not verify.
    expect(receiver.verifies({ ...changed, body: changed.body.replace('PARSE', 'FAIL') })).toBe(false);
    expect(receiver.verifies(changed, [newWebhookSecret()])).toBe(false);

    await waitUntil(async () => (await metric(stack, 'mavi_gateway_app_webhook_backlog')) === 0);
    expect(await metric(stack, 'mavi_gateway_app_webhook_attempts_total{outcome="delivered"}')).toBe(ids.length);
    // The secret never reaches a log line (startStack checks its own secrets on stop).
    expect(stack.logs.some((line) => line.includes(secret.slice(6)))).toBe(false);
  });

  it.runIf(testFamily() === 'original')(
    'transcript.ready is delivered once per task, even when MAVI calls back twice (the original family calls back)',
    async () => {
      const videoNo = await uploadSmallVideo(stack.graphqlUrl, {});
      await stack.simulator.sendCallback(videoNo, 'PARSE');
      await postGraphQL(stack.graphqlUrl, TranscriptDocument, { videoNo, kind: 'SPEECH' }, {});
      const task = [...stack.simulator.transcriptionTasks.values()].find((t) => t.videoNo === videoNo)!;
      expect((await stack.simulator.finishTranscription(task.taskNo)).httpStatus).toBe(200);
      expect((await stack.simulator.finishTranscription(task.taskNo)).httpStatus).toBe(200);
      const [ready] = await receiver.waitFor(
        () => receiver.ofType('transcript.ready').length > 0 && receiver.ofType('transcript.ready'),
      );
      expect(ready!.payload!.data).toMatchObject({ videoNo, status: 'PARSE' });
      // Everything after it has arrived too, and there is no second transcript.ready.
      await waitUntil(async () => (await metric(stack, 'mavi_gateway_app_webhook_backlog')) === 0);
      expect(receiver.ofType('transcript.ready')).toHaveLength(1);
    },
  );
});

describe('failing receivers', () => {
  let receiver: WebhookReceiver;
  let stack: Stack | undefined;
  beforeAll(async () => {
    receiver = await new WebhookReceiver([secret]).start();
  });
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
    receiver.deliveries.length = 0;
    receiver.answers.length = 0;
  });
  afterAll(() => receiver.stop());

  it('a receiver down for the first attempts gets the event later, with the same id; Retry-After is honoured', async () => {
    receiver.answers.push({ status: 503, headers: { 'retry-after': '1' } }, { status: 500 });
    stack = await startStack({
      simulator: { manualCallbacks: true },
      env: webhookEnv(receiver, { APP_WEBHOOK_RETRY_DELAYS_MS: '10,10,10' }),
    });
    await uploadSmallVideo(stack.graphqlUrl, {});
    const [first, second, third] = await receiver.waitFor(() => {
      const registered = receiver.deliveries.filter((delivery) => delivery.payload?.type === 'video.registered');
      return registered.length >= 3 && registered;
    });
    expect(new Set([first!.id, second!.id, third!.id]).size).toBe(1);
    expect(third!.body).toBe(first!.body);
    // Retry-After: 1 asked for a second, beyond the schedule's 10 ms.
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1_000);
  });

  /** Once the endpoint is disabled, a change's events (status_changed, ready) are queued and counted, never sent. */
  async function expectKeptNotSent(current: Stack, videoNo: string, delivered: number): Promise<void> {
    await current.simulator.sendCallback(videoNo, 'PARSE');
    await waitUntil(async () => (await metric(current, 'mavi_gateway_app_webhook_backlog')) === 2);
    expect(receiver.deliveries).toHaveLength(delivered);
  }

  it('a 410 disables the endpoint: later events are kept in its backlog, and sent after a restart', async () => {
    receiver.answers.push({ status: 410 });
    const dataDir = mkdtempSync(join(tmpdir(), 'webhook-410-'));
    const env = webhookEnv(receiver, { DATA_DIR: dataDir });
    stack = await startStack({ simulator: { manualCallbacks: true }, env });
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, {});
    await receiver.waitFor(() => receiver.deliveries.length === 1);
    const current = stack;
    await waitUntil(
      async () => (await metric(current, 'mavi_gateway_app_webhook_attempts_total{outcome="gone"}')) === 1,
    );
    await expectKeptNotSent(current, videoNo, 1);

    // A restart is how the operator says the receiver is fixed: the kept backlog is sent.
    await stack.stop();
    stack = await startStack({ simulator: { manualCallbacks: true }, env });
    await receiver.waitFor(() => receiver.deliveries.length === 3);
    expect(
      receiver.deliveries
        .slice(1)
        .map((d) => d.payload?.type)
        .sort(),
    ).toEqual(['video.ready', 'video.status_changed']);
    expect(stack.logs.some((line) => line.includes('app webhook endpoint enabled again at start'))).toBe(true);
    await stack.stop();
    stack = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a delivery that fails through the whole schedule fails for good and disables the endpoint', async () => {
    receiver.answers.push({ status: 500 }, { status: 502 }, { status: 503 });
    stack = await startStack({
      simulator: { manualCallbacks: true },
      env: webhookEnv(receiver, { APP_WEBHOOK_RETRY_DELAYS_MS: '10,10' }),
    });
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, {});
    await receiver.waitFor(() => receiver.deliveries.length === 3);
    const current = stack;
    await waitUntil(
      async () => (await metric(current, 'mavi_gateway_app_webhook_attempts_total{outcome="failed"}')) === 1,
    );
    await expectKeptNotSent(current, videoNo, 3);
    expect(stack.logs.some((line) => line.includes('app webhook endpoint disabled'))).toBe(true);
  });

  it('a receiver that answers after 60 s is cut at the 15 s deadline and tried again at once', async () => {
    // The defaults: a 15 s deadline, and the schedule's first retry at once.
    receiver.answers.push({ hangMs: 60_000 });
    stack = await startStack({ simulator: { manualCallbacks: true }, env: webhookEnv(receiver) });
    await uploadSmallVideo(stack.graphqlUrl, {});
    const [first, second] = await receiver.waitFor(() => receiver.deliveries.length >= 2 && receiver.deliveries);
    expect(second!.id).toBe(first!.id);
    expect(second!.payload).toEqual(first!.payload);
    // Not before the deadline; and long before the answer would have come (a busy machine only
    // delays the retry, by far less than the 45 s between the two).
    const gap = second!.receivedAt - first!.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(15_000 - 50);
    expect(gap).toBeLessThan(60_000);
    expect(stack.logs.some((line) => line.includes('no answer within the deadline'))).toBe(true);
  }, 90_000);

  it('an answer that never ends is read only to its bound, then dropped: the delivery counts, nothing is held', async () => {
    const endless = { closed: false };
    receiver.answers.push({ endless });
    stack = await startStack({ simulator: { manualCallbacks: true }, env: webhookEnv(receiver) });
    await uploadSmallVideo(stack.graphqlUrl, {});
    await receiver.waitFor(() => endless.closed);
    const current = stack;
    await waitUntil(
      async () => (await metric(current, 'mavi_gateway_app_webhook_attempts_total{outcome="delivered"}')) === 1,
    );
    await waitUntil(async () => (await metric(current, 'mavi_gateway_app_webhook_backlog')) === 0);
    expect(receiver.deliveries).toHaveLength(1);
  });

  it('a redirect is not followed: the delivery ends there, and the target hears nothing', async () => {
    const target = await new WebhookReceiver([secret]).start();
    receiver.answers.push({ status: 307, headers: { location: target.url } });
    stack = await startStack({
      simulator: { manualCallbacks: true },
      env: webhookEnv(receiver, { APP_WEBHOOK_RETRY_DELAYS_MS: '10,10' }),
    });
    await uploadSmallVideo(stack.graphqlUrl, {});
    const current = stack;
    await waitUntil(
      async () => (await metric(current, 'mavi_gateway_app_webhook_attempts_total{outcome="failed"}')) === 1,
    );
    expect(receiver.deliveries).toHaveLength(1);
    expect(target.deliveries).toHaveLength(0);
    expect(stack.logs.some((line) => line.includes('redirects are not followed'))).toBe(true);
    await target.stop();
  });

  it('a 4xx other than 408, 410 and 429 is final: no retry', async () => {
    receiver.answers.push({ status: 400 });
    stack = await startStack({
      simulator: { manualCallbacks: true },
      env: webhookEnv(receiver, { APP_WEBHOOK_RETRY_DELAYS_MS: '10,10' }),
    });
    await uploadSmallVideo(stack.graphqlUrl, {});
    const current = stack;
    await waitUntil(
      async () => (await metric(current, 'mavi_gateway_app_webhook_attempts_total{outcome="failed"}')) === 1,
    );
    await waitUntil(async () => (await metric(current, 'mavi_gateway_app_webhook_backlog')) === 0);
    expect(receiver.deliveries).toHaveLength(1);
  });
});

describe('upload.failed', () => {
  it('is sent once for a resumable upload that failed for good: refused, or left unfinished', async () => {
    const receiver = await new WebhookReceiver([secret]).start();
    const stack = await startStack({
      env: webhookEnv(receiver, { ...TWO_CLIENT_KEYS, STAGED_UPLOAD_EXPIRY_MS: '1000' }),
    });
    try {
      const passthrough = 'order-4711';
      const metadata = { filename: 'notes.mp4', filetype: 'video/mp4', passthrough };
      // Not a video: forwarding is refused for good (UNSUPPORTED_MEDIA_TYPE), nothing reaches MAVI.
      const refused = await tusUpload({
        endpoint: `${stack.url}/uploads`,
        file: randomBytes(64 * 1024),
        headers: asAlice,
        metadata,
      });
      // Half sent, then left: it expires (UPLOAD_EXPIRED).
      const unfinished = await createUpload(stack.url, 8192, asAlice);
      expect(await patchUpload(unfinished, 0, Buffer.concat([MP4_HEADER, Buffer.alloc(1024)]), asAlice)).toBe(204);

      const failed = await receiver.waitFor(
        () => receiver.ofType('upload.failed').length === 2 && receiver.ofType('upload.failed'),
      );
      const byId = Object.fromEntries(failed.map((d) => [d.payload!.data.uploadId, d.payload!.data]));
      expect(byId[uploadIdOf(refused.url)]).toMatchObject({
        fileName: 'notes.mp4',
        errorCode: 'UNSUPPORTED_MEDIA_TYPE',
        owner: { user: null, tenant: null, key: 'alice' },
        passthrough,
      });
      expect(byId[uploadIdOf(unfinished)]).toMatchObject({ errorCode: 'UPLOAD_EXPIRED', length: 8192 });
      expect(stack.simulator.stats.uploadRequests).toBe(0);
      await waitUntil(async () => (await metric(stack, 'mavi_gateway_app_webhook_backlog')) === 0);
      expect(receiver.deliveries).toHaveLength(2);
    } finally {
      await stack.stop();
      await receiver.stop();
    }
  });
});

describe("no requests into the operator's network", () => {
  it('refuses an endpoint on a loopback, private or link-local address at start, unless allowed', () => {
    for (const url of [
      'http://127.0.0.1:9/hooks',
      'http://10.1.2.3/hooks',
      'http://[::1]/hooks',
      'http://localhost/h',
      'http://169.254.169.254/',
    ]) {
      expect(() => loadConfig({ APP_WEBHOOK_URL: url, APP_WEBHOOK_SECRET: secret })).toThrow(
        /APP_WEBHOOK_URL names a loopback, private or link-local address.*APP_WEBHOOK_ALLOW_PRIVATE=on/,
      );
    }
    expect(
      loadConfig({
        APP_WEBHOOK_URL: 'http://127.0.0.1:9/hooks',
        APP_WEBHOOK_SECRET: secret,
        APP_WEBHOOK_ALLOW_PRIVATE: 'on',
      }).appWebhook.endpoint?.url,
    ).toBe('http://127.0.0.1:9/hooks');
  });

  it('refuses a secret that is not whsec_, and a URL without a secret, naming the variable but not the value', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    const [badSecret] = problems({
      APP_WEBHOOK_URL: 'https://hooks.example.com/x',
      APP_WEBHOOK_SECRET: 'not-a-secret-at-all',
    });
    expect(badSecret).toMatch(/^APP_WEBHOOK_SECRET must be whsec_/);
    expect(badSecret).not.toContain('not-a-secret-at-all');
    expect(problems({ APP_WEBHOOK_URL: 'https://hooks.example.com/x' })).toEqual([
      'APP_WEBHOOK_URL is set but APP_WEBHOOK_SECRET is not: every delivery is signed',
    ]);
  });

  it('refuses, where it connects, a name that resolves to loopback', async () => {
    const receiver = await new WebhookReceiver([secret]).start();
    const { port } = new URL(receiver.url);
    const loopbackName = await firstLoopbackName(['runsc', 'vm', 'ip6-localhost', 'ip6-loopback']);
    const sender = new WebhookSender({ allowPrivate: false, timeoutMs: 5_000, connections: 1 });
    try {
      if (loopbackName !== undefined) {
        const outcome = await sender.send(`http://${loopbackName}:${port}/hooks`, [secret], {
          eventId: 'msg_1',
          body: '{}',
        });
        expect(outcome).toMatchObject({
          kind: 'retry',
          error: expect.stringMatching(/resolves to .*loopback, private or link-local/),
        });
      }
      const literal = await sender.send(`http://127.0.0.1:${port}/hooks`, [secret], { eventId: 'msg_2', body: '{}' });
      expect(literal).toMatchObject({ kind: 'final', error: expect.stringMatching(/loopback, private or link-local/) });
      expect(receiver.deliveries).toHaveLength(0);
    } finally {
      await sender.close();
      await receiver.stop();
    }
  });
});

/** A host name (not `localhost`, which is refused by name) that this machine resolves to a loopback address. */
async function firstLoopbackName(candidates: string[]): Promise<string | undefined> {
  for (const name of candidates) {
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (addresses.length > 0 && addresses.every(({ address }) => address.startsWith('127.') || address === '::1'))
      return name;
  }
  return undefined;
}
