/**
 * Erasing an owner for account deletion (`eraseOwner`, the app's service key): every video of
 * that user or client key goes, at MAVI and in the gateway, live subscriptions end, and an
 * owner.erased webhook lists what went; other owners' videos stay. The job survives kill -9.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  EraseOwnerDocument,
  ErasureDocument,
  TranscriptDocument,
  VideoStatusDocument,
} from '../../generated/operations.js';
import { killHard, restartableDeployment, startGatewayProcess } from '../../utils/gateway-process.js';
import { postGraphQL, subscribeSse } from '../../utils/graphql-clients.js';
import { startStack, TEST_MAVI_KEY, type Stack } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { MP4_HEADER } from '../../utils/multipart-client.js';
import { createUpload, patchUpload, tusRequest } from '../../utils/tus-client.js';
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

describe("an owner's other records", () => {
  const CAROL = 'client-key-of-carol-for-erasure-01';
  const DAVE = 'client-key-of-dave-for-erasure-001';
  const asCarol = { authorization: `Bearer ${CAROL}` };
  const asDave = { authorization: `Bearer ${DAVE}` };
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      simulator: { manualCallbacks: true },
      env: { GATEWAY_API_KEYS: `carol:${CAROL},dave:${DAVE}`, GATEWAY_SERVICE_KEYS: keys.GATEWAY_SERVICE_KEYS },
      gateway: { erasureRetryMs: 10 },
    });
  });
  afterAll(() => stack.stop());

  const chatOnce = async (videoNo: string, headers: Record<string, string>, sessionId: string | null) => {
    const chat = subscribeSse(
      stack.graphqlUrl,
      ChatDocument,
      { videoNos: [videoNo], message: 'Hi', sessionId },
      headers,
    );
    await chat.collected.ended();
    return chat.collected.events;
  };
  const sessionOf = (events: Awaited<ReturnType<typeof chatOnce>>) =>
    events.map((event) => event.data?.chat).find((piece) => piece?.__typename === 'ChatDone') as
      { sessionId: string } | undefined;

  it('go with the videos: staged uploads, chat sessions and transcript records; Dave keeps his', async () => {
    const carols = await uploadSmallVideo(stack.graphqlUrl, asCarol);
    const daves = await uploadSmallVideo(stack.graphqlUrl, asDave);
    for (const videoNo of [carols, daves]) await stack.simulator.setStatus(videoNo, 'PARSE', { notify: true });
    const carolsSession = sessionOf(await chatOnce(carols, asCarol, null))!.sessionId;
    const davesSession = sessionOf(await chatOnce(daves, asDave, null))!.sessionId;
    // Half a resumable upload, left staged.
    const staged = await createUpload(stack.url, 8192, asCarol);
    expect(await patchUpload(staged, 0, Buffer.concat([MP4_HEADER, Buffer.alloc(1024)]), asCarol)).toBe(204);
    // A transcription MAVI has not finished (the original family's tasks call back).
    await postGraphQL(stack.graphqlUrl, TranscriptDocument, { videoNo: carols, kind: 'SPEECH' }, asCarol);
    const task = [...stack.simulator.transcriptionTasks.values()].find((t) => t.videoNo === carols);

    const started = await postGraphQL(
      stack.graphqlUrl,
      EraseOwnerDocument,
      { owner: { key: 'carol', user: null, tenant: null } },
      service,
    );
    const { id } = started.body.data!.eraseOwner!;
    const erasure = async () =>
      (await postGraphQL(stack.graphqlUrl, ErasureDocument, { id }, service)).body.data!.erasure!;
    await waitUntil(async () => (await erasure()).state === 'DONE', 'the erasure ends');
    expect(await erasure()).toMatchObject({ videosDeleted: 1, stagedUploadsDeleted: 1, chatSessionsDeleted: 1 });

    // The staged upload is gone, bytes and record.
    expect((await tusRequest(staged, 'HEAD', { ...asCarol, 'tus-resumable': '1.0.0' })).status).toBe(404);
    // Carol's session is forgotten: a new video of hers cannot continue it. Dave's goes on.
    const next = await uploadSmallVideo(stack.graphqlUrl, asCarol);
    await stack.simulator.setStatus(next, 'PARSE', { notify: true });
    const refused = await chatOnce(next, asCarol, carolsSession);
    expect(refused.at(-1)!.errors![0]!.extensions!.code).toBe('CHAT_SESSION_NOT_FOUND');
    expect(sessionOf(await chatOnce(daves, asDave, davesSession))).toEqual(
      expect.objectContaining({ sessionId: davesSession }),
    );
    // The transcription's record is forgotten: MAVI's late callback finds nothing to finish.
    if (task) expect((await stack.simulator.finishTranscription(task.taskNo)).httpStatus).toBe(404);
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
