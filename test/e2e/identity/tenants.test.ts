/**
 * Tenants (AUTH_TENANT_CLAIM) and their administrators (AUTH_ADMIN_SCOPE): a
 * token whose scopes include the admin scope sees and manages every video of its
 * own tenant, and nothing of another tenant's; a user without it sees only their
 * own. Scopes are read from `scope`, `scp` or `permissions`, as providers put them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  VideoDocument,
  VideosDocument,
  VideoStatusDocument,
} from '../../generated/operations.js';
import { postGraphQL, subscribeWs, wsClient } from '../../utils/graphql-clients.js';
import { bearer, startTokenStack, TestIdentityProvider } from '../../utils/identity-provider.js';
import type { Stack } from '../../utils/stack.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';

const provider = new TestIdentityProvider();
let stack: Stack;
const FIRST_PAGE = { first: 50, after: null, status: null, nameContains: null };

/** A token of `sub` in tenant `org`, with the given claims. */
const as = async (sub: string, org: string, claims: Record<string, unknown> = {}) =>
  bearer(await provider.token(sub, { claims: { org_id: org, ...claims } }));

beforeAll(async () => {
  await provider.start();
  stack = await startTokenStack(provider, { env: { AUTH_TENANT_CLAIM: 'org_id' } });
});

afterAll(async () => {
  await stack?.stop();
  await provider.stop();
});

const list = async (headers: Record<string, string>) =>
  (await postGraphQL(stack.graphqlUrl, VideosDocument, FIRST_PAGE, headers)).body
    .data!.videos!.nodes.map((node) => node.videoNo)
    .sort();

describe('tenants and their administrators', () => {
  it("an admin sees and manages every video of its tenant, and nothing of another tenant's", async () => {
    const alice = await as('alice', 'acme');
    const bob = await as('bob', 'acme');
    const carol = await as('carol', 'globex');
    const alices = await uploadSmallVideo(stack.graphqlUrl, alice);
    const bobs = await uploadSmallVideo(stack.graphqlUrl, bob);
    const carols = await uploadSmallVideo(stack.graphqlUrl, carol);

    // The same scope, in each of the claims providers use.
    const admins = [
      await as('ada', 'acme', { scope: 'openid videos:admin' }),
      await as('ada', 'acme', { scp: ['videos:admin'] }),
      await as('ada', 'acme', { permissions: ['videos:read', 'videos:admin'] }),
    ];
    for (const admin of admins) expect(await list(admin)).toEqual([alices, bobs].sort());
    const admin = admins[0]!;

    // Users without the scope, and another tenant's admin, see only what is theirs.
    expect(await list(alice)).toEqual([alices]);
    expect(await list(await as('ada', 'acme', { scope: 'openid videos:read' }))).toEqual([]);
    const globexAdmin = await as('gus', 'globex', { scope: 'videos:admin' });
    expect(await list(globexAdmin)).toEqual([carols]);
    const foreign = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo: alices }, globexAdmin);
    expect(foreign.body).toEqual({ data: { video: null } });

    // The admin reads a user's video, follows it, and deletes it.
    const read = await postGraphQL(stack.graphqlUrl, VideoDocument, { videoNo: alices }, admin);
    expect(read.body.data!.video!.videoNo).toBe(alices);
    const client = wsClient(stack.wsUrl, admin);
    try {
      const followed = subscribeWs(client, VideoStatusDocument, { videoNo: bobs });
      const [first] = await followed.collected.waitForEvents(1);
      expect(first!.data!.videoStatus.videoNo).toBe(bobs);
      followed.unsubscribe();
    } finally {
      await client.dispose();
    }
    const deleted = await postGraphQL(stack.graphqlUrl, DeleteVideosDocument, { videoNos: [bobs, carols] }, admin);
    expect(deleted.body.data!.deleteVideos!.deleted).toEqual([bobs]);
    expect(await list(bob)).toEqual([]);
    expect(await list(carol)).toEqual([carols]);
  });

  it('refuses a token without the tenant claim, naming it', async () => {
    const answer = await postGraphQL(stack.graphqlUrl, VideosDocument, FIRST_PAGE, bearer(await provider.token('zed')));
    expect(answer.status).toBe(401);
    expect(answer.body.errors![0]!.message).toMatch(/"org_id" claim \(AUTH_TENANT_CLAIM\)/);
  });
});
