/**
 * Erasing an owner for account deletion (`eraseOwner`, the app's service key): every video of
 * that user or client key goes, at MAVI and in the gateway, live subscriptions end, and an
 * owner.erased webhook lists what went; other owners' videos stay. The job survives kill -9.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EraseOwnerDocument, ErasureDocument, VideoStatusDocument } from '../../generated/operations.js';
import { killHard, restartableDeployment, startGatewayProcess } from '../../utils/gateway-process.js';
import { postGraphQL, subscribeSse } from '../../utils/graphql-clients.js';
import { startStack, TEST_MAVI_KEY, type Stack } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { ALICE, asAlice, asBob, BOB, uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';
import { appWebhookEnv, newWebhookSecret, WebhookReceiver } from '../../utils/webhook-receiver.js';

const SERVICE_KEY = 'service-key-for-erasure-tests-001';
const service = { authorization: `Bearer ${SERVICE_KEY}` };
const keys = { GATEWAY_API_KEYS: `alice:${ALICE},bob:${BOB}`, GATEWAY_SERVICE_KEYS: `backend:${SERVICE_KEY}` };
const secret = newWebhookSecret();

describe('eraseOwner', () => {
  let receiver: WebhookReceiver;
  let stack: Stack;
  beforeAll(async () => {
    receiver = await new WebhookReceiver([secret]).start();
    stack = await startStack({
      simulator: { manualCallbacks: true },
      env: { ...keys, ...appWebhookEnv(receiver, secret) },
      gateway: { erasureRetryMs: 10 },
    });
  });
  afterAll(async () => {
    await stack.stop();
    await receiver.stop();
  });

  const erasure = async (id: string) =>
    (await postGraphQL(stack.graphqlUrl, ErasureDocument, { id }, service)).body.data!.erasure!;

  it("deletes Alice's videos everywhere, ends their subscriptions, leaves Bob's, and says so", async () => {
    const alices = [
      await uploadSmallVideo(stack.graphqlUrl, asAlice),
      await uploadSmallVideo(stack.graphqlUrl, asAlice),
      await uploadSmallVideo(stack.graphqlUrl, asAlice),
    ];
    const bobs = await uploadSmallVideo(stack.graphqlUrl, asBob);
    const watching = subscribeSse(stack.graphqlUrl, VideoStatusDocument, { videoNo: alices[0]! }, asAlice);
    await watching.collected.waitForEvents(1);

    const started = await postGraphQL(
      stack.graphqlUrl,
      EraseOwnerDocument,
      { owner: { key: 'alice', user: null, tenant: null } },
      service,
    );
    const job = started.body.data!.eraseOwner!;
    expect(job).toMatchObject({ state: 'RUNNING', owner: { user: null, tenant: null, key: 'alice' } });
    await waitUntil(async () => (await erasure(job.id)).state === 'DONE', 'the erasure ends');
    const done = await erasure(job.id);
    expect(done.videosDeleted).toBe(3);
    expect([...done.deletedVideoNos].sort()).toEqual([...alices].sort());

    for (const videoNo of alices) expect(stack.simulator.videos.has(videoNo)).toBe(false);
    expect(stack.simulator.videos.has(bobs)).toBe(true);
    await watching.collected.ended();
    expect(watching.collected.events.at(-1)!.errors![0]!.extensions!.code).toBe('VIDEO_DELETED');

    const [erased] = await receiver.waitFor(
      () => receiver.ofType('owner.erased').length > 0 && receiver.ofType('owner.erased'),
    );
    expect(erased!.payload!.data).toMatchObject({ erasureId: job.id, state: 'DONE', owner: { key: 'alice' } });
    expect([...(erased!.payload!.data.videoNos as string[])].sort()).toEqual([...alices].sort());
    await receiver.waitFor(() => receiver.ofType('video.deleted').length === 3);

    // Again: harmless, a new job that finds nothing.
    const again = await postGraphQL(
      stack.graphqlUrl,
      EraseOwnerDocument,
      { owner: { key: 'alice', user: null, tenant: null } },
      service,
    );
    await waitUntil(async () => (await erasure(again.body.data!.eraseOwner!.id)).state === 'DONE', 'the second ends');
    expect((await erasure(again.body.data!.eraseOwner!.id)).videosDeleted).toBe(0);
    expect(stack.simulator.videos.has(bobs)).toBe(true);
  });

  it('goes on past videos MAVI refuses to delete, and ends FAILED naming them; MAVI away only delays it', async () => {
    const bobsOther = [await uploadSmallVideo(stack.graphqlUrl, asBob)];
    stack.simulator.deleteFault = { kind: 'server-error' };
    const started = await postGraphQL(
      stack.graphqlUrl,
      EraseOwnerDocument,
      { owner: { key: 'bob', user: null, tenant: null } },
      service,
    );
    const { id } = started.body.data!.eraseOwner!;
    const deletes = () => stack.simulator.calls.get('delete') ?? 0;
    const before = deletes();
    await waitUntil(() => deletes() >= before + 10, 'MAVI asked again and again while away');
    expect((await erasure(id)).state).toBe('RUNNING');

    stack.simulator.deleteFault = { kind: 'rejected', code: '9999', msg: 'cannot delete' };
    await waitUntil(async () => (await erasure(id)).state !== 'RUNNING', 'the erasure ends');
    const failed = (
      await postGraphQL(
        stack.graphqlUrl,
        EraseOwnerDocument,
        { owner: { key: 'bob', user: null, tenant: null } },
        service,
      )
    ).body.data!.eraseOwner!;
    expect((await erasure(id)).state).toBe('FAILED');
    // Asking again starts a new job (the last one ended): the refused videos are tried afresh.
    expect(failed.id).not.toBe(id);
    expect(failed.refusedVideoNos).toEqual([]);
    stack.simulator.deleteFault = undefined;
    await waitUntil(async () => (await erasure(failed.id)).state === 'DONE', 'the new erasure ends');
    expect(stack.simulator.videos.has(bobsOther[0]!)).toBe(false);
  });

  it('is for the service key only', async () => {
    const refused = await postGraphQL(
      stack.graphqlUrl,
      EraseOwnerDocument,
      { owner: { key: 'bob', user: null, tenant: null } },
      asAlice,
    );
    expect(refused.body.data?.eraseOwner).toBeNull();
    expect(refused.body.errors![0]!.extensions!.code).toBe('INVALID_INPUT');
  });
});

describe('an erasure cut by kill -9', () => {
  let simulator: TestSimulator;
  beforeAll(async () => {
    simulator = new TestSimulator({ apiKey: TEST_MAVI_KEY, manualCallbacks: true });
    await simulator.start();
  });
  afterAll(() => simulator.stop());

  it('is finished by the restarted gateway', async () => {
    const where = await restartableDeployment(simulator.url, 'erasure-', keys);
    let gateway = startGatewayProcess(where.env);
    try {
      let url = await gateway.url;
      const videoNos = [
        await uploadSmallVideo(`${url}/graphql`, asAlice),
        await uploadSmallVideo(`${url}/graphql`, asAlice),
      ];
      // MAVI cannot delete for now: the job stays RUNNING, retrying.
      simulator.deleteFault = { kind: 'server-error' };
      const started = await postGraphQL(
        `${url}/graphql`,
        EraseOwnerDocument,
        { owner: { key: 'alice', user: null, tenant: null } },
        service,
      );
      const { id } = started.body.data!.eraseOwner!;
      await waitUntil(() => (simulator.calls.get('delete') ?? 0) > 0, 'MAVI was asked to delete');
      await killHard(gateway);

      simulator.deleteFault = undefined;
      gateway = startGatewayProcess(where.env);
      url = await gateway.url;
      const state = async () =>
        (await postGraphQL(`${url}/graphql`, ErasureDocument, { id }, service)).body.data!.erasure!.state;
      await waitUntil(async () => (await state()) === 'DONE', 'the restarted gateway finishes the erasure');
      for (const videoNo of videoNos) expect(simulator.videos.has(videoNo)).toBe(false);
      expect(await gateway.stop()).toBe(0);
    } finally {
      await killHard(gateway);
      rmSync(where.dataDir, { recursive: true, force: true });
    }
  });
});
