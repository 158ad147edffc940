/**
 * The app's service key (GATEWAY_SERVICE_KEYS): the app's own servers see and manage every video
 * of the deployment, of every user, tenant and key, with the owners' names; they list by owner
 * and upload on a user's behalf (the video is then the user's, in the user's partition at MAVI).
 * Users and client keys see nothing more than before. Both MAVI API families.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testFamily } from '../../utils/family.js';
import { bearer, startTokenStack, TestIdentityProvider } from '../../utils/identity-provider.js';
import { collect, postMultipart, videoFile } from '../../utils/multipart-client.js';
import type { Stack } from '../../utils/stack.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';

const SERVICE_KEY = 'service-key-for-the-apps-backend-1';
const CLIENT_KEY = 'client-key-for-the-mobile-app-0001';
const service = { authorization: `Bearer ${SERVICE_KEY}` };
const mobile = { authorization: `Bearer ${CLIENT_KEY}` };
const provider = new TestIdentityProvider();
let stack: Stack;

const as = async (sub: string, org: string) => bearer(await provider.token(sub, { claims: { org_id: org } }));

async function gql(headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}) {
  const answer = await fetch(stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await answer.json()) as {
    data?: Record<string, any>;
    errors?: { message: string; extensions: { code: string } }[];
  };
}

const LIST = `query ($owner: OwnerInput) {
  videos(first: 50, owner: $owner) { nodes { videoNo owner { user tenant key } } }
}`;
const listed = async (headers: Record<string, string>, owner?: Record<string, string>) =>
  ((await gql(headers, LIST, { owner })).data!.videos.nodes as { videoNo: string; owner: unknown }[]).map(
    (node) => node.videoNo,
  );

async function uploadOnBehalf(headers: Record<string, string>, owner: Record<string, string>) {
  const query = 'mutation ($file: Upload!, $owner: OwnerInput) { uploadVideo(file: $file, owner: $owner) { videoNo } }';
  const result = await postMultipart(stack.graphqlUrl, {
    headers,
    parts: [
      { name: 'operations', value: JSON.stringify({ query, variables: { file: null, owner } }) },
      { name: 'map', value: JSON.stringify({ 0: ['variables.file'] }) },
      { name: '0', fileName: 'for-alice.mp4', contentType: 'video/mp4', content: await collect(videoFile(4096)) },
    ],
  });
  return result.json as {
    data?: { uploadVideo: { videoNo: string } | null };
    errors?: { extensions: { code: string } }[];
  };
}

beforeAll(async () => {
  await provider.start();
  stack = await startTokenStack(provider, {
    simulator: { manualCallbacks: true },
    env: {
      AUTH_TENANT_CLAIM: 'org_id',
      GATEWAY_API_KEYS: `mobile:${CLIENT_KEY}`,
      GATEWAY_SERVICE_KEYS: `backend:${SERVICE_KEY}`,
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await provider.stop();
});

describe("the app's service key", () => {
  it("sees Alice's and Bob's videos with their claims; Alice sees neither Bob's video nor his owner", async () => {
    const alice = await as('alice@example.com', 'acme');
    const bob = await as('bob@example.com', 'globex');
    const alices = await uploadSmallVideo(stack.graphqlUrl, alice);
    const bobs = await uploadSmallVideo(stack.graphqlUrl, bob);
    const mobiles = await uploadSmallVideo(stack.graphqlUrl, mobile);

    const all = await gql(service, LIST);
    const owners = Object.fromEntries(
      (all.data!.videos.nodes as { videoNo: string; owner: unknown }[]).map((node) => [node.videoNo, node.owner]),
    );
    expect(owners[alices]).toEqual({ user: 'alice@example.com', tenant: 'acme', key: null });
    expect(owners[bobs]).toEqual({ user: 'bob@example.com', tenant: 'globex', key: null });
    expect(owners[mobiles]).toEqual({ user: null, tenant: null, key: 'mobile' });

    expect(await listed(service, { user: 'alice@example.com', tenant: 'acme' })).toEqual([alices]);
    expect(await listed(service, { key: 'mobile' })).toEqual([mobiles]);

    // Alice: her own video only, without its owner; Bob's is unknown to her, by any way of asking.
    expect(await listed(alice)).toEqual([alices]);
    expect(await listed(alice, { user: 'bob@example.com', tenant: 'globex' })).toEqual([]);
    const hers = await gql(alice, 'query ($v: ID!) { video(videoNo: $v) { owner { user } } }', { v: alices });
    expect(hers.data!.video).toEqual({ owner: null });
    const his = await gql(alice, 'query ($v: ID!) { video(videoNo: $v) { videoNo } }', { v: bobs });
    expect(his.data!.video).toBeNull();

    // The service manages any of them: it deletes Bob's.
    const deleted = await gql(service, 'mutation ($v: [ID!]!) { deleteVideos(videoNos: $v) { deleted } }', {
      v: [bobs],
    });
    expect(deleted.data!.deleteVideos.deleted).toEqual([bobs]);
    expect(stack.simulator.videos.has(bobs)).toBe(false);
  });

  it("uploads on a user's behalf: the video is the user's, in the user's partition", async () => {
    const alice = await as('alice@example.com', 'acme');
    const result = await uploadOnBehalf(service, { user: 'alice@example.com', tenant: 'acme' });
    const { videoNo } = result.data!.uploadVideo!;
    expect(await listed(alice)).toContain(videoNo);
    const own = await uploadSmallVideo(stack.graphqlUrl, alice);
    if (testFamily() === 'v1') {
      expect(stack.simulator.videos.get(videoNo)!.partition).toBe(stack.simulator.videos.get(own)!.partition);
    }
  });

  it('refuses an upload on behalf from anyone else, and an owner that does not exist, changing nothing', async () => {
    const alice = await as('alice@example.com', 'acme');
    const before = stack.simulator.videos.size;
    for (const [headers, owner, message] of [
      [alice, { user: 'bob@example.com', tenant: 'globex' }, /service key/],
      [mobile, { key: 'mobile' }, /service key/],
      [service, { key: 'nobody' }, /No client key/],
      [service, { user: 'alice@example.com' }, /tenant/],
      [service, { user: 'a', key: 'mobile' }, /one of the two/],
    ] as const) {
      const refused = await uploadOnBehalf(headers, owner);
      expect(refused.data?.uploadVideo ?? null).toBeNull();
      expect(refused.errors![0]!.extensions.code).toBe('INVALID_INPUT');
      expect(JSON.stringify(refused.errors)).toMatch(message);
    }
    expect(stack.simulator.videos.size).toBe(before);
  });
});
