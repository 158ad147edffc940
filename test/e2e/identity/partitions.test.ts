/**
 * MAVI_PARTITION on the successor family: what `unique_id` a signed-in user's
 * uploads go to MAVI under. Per user, MAVI itself keeps each user's videos
 * apart; per tenant, a tenant's users share one; per app, all of them. The value
 * is a digest, never the claim. A video keeps the partition it was uploaded
 * under when MAVI_PARTITION changes: later calls about it still reach it.
 * (The original family has no partitions: these tests run on the successor only.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteVideosDocument } from '../../generated/operations.js';
import { testFamily } from '../../utils/family.js';
import { postGraphQL } from '../../utils/graphql-clients.js';
import { bearer, startTokenStack, TestIdentityProvider } from '../../utils/identity-provider.js';
import type { Stack } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';

const onSuccessor = testFamily() === 'v1';
const provider = new TestIdentityProvider();
let simulator: TestSimulator;

beforeAll(async () => {
  await provider.start();
  simulator = new TestSimulator({ apiKey: 'partition-test-key-1234', family: 'v1' });
  await simulator.start();
});

afterAll(async () => {
  await simulator?.stop();
  await provider.stop();
});

/** A gateway in front of the shared simulator, with tokens and the given MAVI_PARTITION (and data folder). */
async function gateway(partition: string, env: Record<string, string> = {}): Promise<Stack> {
  return startTokenStack(provider, {
    sharedSimulator: simulator,
    env: { AUTH_TENANT_CLAIM: 'org_id', MAVI_PARTITION: partition, ...env },
  });
}

/** Uploads as `sub` of `org`, and answers the unique_id MAVI received with the upload. */
async function partitionOf(stack: Stack, sub: string, org: string): Promise<string> {
  const videoNo = await uploadSmallVideo(
    stack.graphqlUrl,
    bearer(await provider.token(sub, { claims: { org_id: org } })),
  );
  return simulator.videos.get(videoNo)!.partition!;
}

describe.skipIf(!onSuccessor)('MAVI_PARTITION (the successor family only: the original has no partitions)', () => {
  it('user: each user its own unique_id, a digest that carries no claim', async () => {
    const stack = await gateway('user');
    try {
      const alice = await partitionOf(stack, 'alice@example.com', 'acme');
      const bob = await partitionOf(stack, 'bob@example.com', 'acme');
      expect(alice).not.toBe(bob);
      expect(await partitionOf(stack, 'alice@example.com', 'acme')).toBe(alice); // stable per user
      for (const partition of [alice, bob]) {
        expect(partition).toMatch(/^user-[0-9a-f]{32}$/);
        expect(partition).not.toMatch(/alice|bob|example|acme/);
      }
    } finally {
      await stack.stop();
    }
  });

  it("tenant: a tenant's users share one unique_id, other tenants have their own; app: everyone one", async () => {
    const byTenant = await gateway('tenant');
    try {
      const alice = await partitionOf(byTenant, 'alice', 'acme');
      expect(await partitionOf(byTenant, 'bob', 'acme')).toBe(alice);
      expect(await partitionOf(byTenant, 'carol', 'globex')).not.toBe(alice);
      expect(alice).toMatch(/^tenant-[0-9a-f]{16}$/);
    } finally {
      await byTenant.stop();
    }
    const byApp = await gateway('app');
    try {
      const alice = await partitionOf(byApp, 'alice', 'acme');
      expect(await partitionOf(byApp, 'carol', 'globex')).toBe(alice);
      expect(alice).toMatch(/^app-[0-9a-f]{16}$/);
    } finally {
      await byApp.stop();
    }
  });

  it('a video keeps its partition when MAVI_PARTITION changes: deleting it later reaches it at MAVI', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gateway-partitions-'));
    try {
      const before = await gateway('user', { DATA_DIR: dataDir });
      const token = bearer(await provider.token('dana', { claims: { org_id: 'acme' } }));
      const videoNo = await uploadSmallVideo(before.graphqlUrl, token);
      await before.stop();

      const after = await gateway('tenant', { DATA_DIR: dataDir });
      try {
        const deleted = await postGraphQL(after.graphqlUrl, DeleteVideosDocument, { videoNos: [videoNo] }, token);
        expect(deleted.body.data!.deleteVideos!.deleted).toEqual([videoNo]);
        expect(simulator.videos.has(videoNo)).toBe(false); // deleted at MAVI, in the partition it lives in
      } finally {
        await after.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
