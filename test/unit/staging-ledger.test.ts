/**
 * The staging ledgers' contract, run against each: SQLite on a real file, and
 * Redis. Bounds are counted over staged uploads only and given back when one
 * leaves staging; a forwarding job is claimed by one worker at a time, and
 * claimed again once its lease ends; unfinished uploads expire.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStagingLedger } from '../../src/staging/redis-staging-ledger.js';
import { openSqliteStagingLedger } from '../../src/staging/sqlite-staging-ledger.js';
import type { StagedUpload, StagingLedger } from '../../src/staging/staged-upload.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from '../utils/redis.js';

const hasRedis = await requireRedis('test/unit/staging-ledger.test.ts');
const dirs: string[] = [];
const prefixes: string[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  for (const prefix of prefixes) await dropPrefix(prefix);
  for (const client of clients) client.disconnect();
});

const bounds = { maxUploadsPerOwner: 2, maxBytesPerOwner: 100, maxBytes: 150 };
let next = 0;
function upload(ownerId: string, length: number, changes: Partial<StagedUpload> = {}): StagedUpload {
  next += 1;
  return {
    id: `upload-${next}`,
    ownerId,
    partition: `partition-${ownerId}`,
    fileName: 'a.mp4',
    fileType: 'video/mp4',
    maviMetadata: undefined,
    length,
    state: 'RECEIVING',
    bytesForwarded: 0,
    attempts: 0,
    errorCode: undefined,
    errorMessage: undefined,
    videoNo: undefined,
    createdAt: Date.now(),
    expiresAt: Date.now() + 60_000,
    dueAt: 0,
    ...changes,
  };
}

const ledgers: [string, () => StagingLedger, boolean][] = [
  [
    'SQLite (a file)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
      dirs.push(dir);
      return openSqliteStagingLedger(dir, 'full');
    },
    true,
  ],
  [
    'Redis',
    () => {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      const client = new Redis(REDIS_URL);
      clients.push(client);
      return createRedisStagingLedger(client, prefix);
    },
    hasRedis,
  ],
];

describe.each(ledgers)('%s', (_name, open, available) => {
  it.skipIf(!available)('counts bounds over staged uploads, and gives them back', async () => {
    const ledger = open();
    const first = upload('alice', 60);
    expect(await ledger.admit(first, bounds)).toBeUndefined();
    expect(await ledger.admit(upload('alice', 50), bounds)).toBe('bytes-per-owner');
    const second = upload('alice', 30);
    expect(await ledger.admit(second, bounds)).toBeUndefined();
    expect(await ledger.admit(upload('alice', 1), bounds)).toBe('uploads-per-owner');
    expect(await ledger.admit(upload('bob', 61), bounds)).toBe('bytes');
    // A refusal records nothing: Bob still fits what is left.
    expect(await ledger.admit(upload('bob', 60), bounds)).toBeUndefined();
    // Forwarding still counts; registered does not.
    await ledger.put({ ...first, state: 'FORWARDING', dueAt: Date.now() });
    expect(await ledger.admit(upload('alice', 1), bounds)).toBe('uploads-per-owner');
    await ledger.put({ ...first, state: 'REGISTERED', videoNo: 'v1', expiresAt: Date.now() + 60_000 });
    expect(await ledger.admit(upload('alice', 60), bounds)).toBeUndefined();
    // A removed upload gives its bytes back too.
    await ledger.remove(second.id);
    expect(await ledger.get(second.id)).toBeUndefined();
    expect(await ledger.admit(upload('alice', 30), bounds)).toBeUndefined();
    expect((await ledger.get(first.id))?.videoNo).toBe('v1');
    await ledger.close?.();
  });

  it.skipIf(!available)('a due job is claimed once, and again when its lease has ended', async () => {
    const ledger = open();
    const job = upload('carol', 10);
    await ledger.admit(job, bounds);
    const now = Date.now();
    expect(await ledger.claimDue(now, now + 1_000)).toBeUndefined(); // RECEIVING is no job
    await ledger.put({ ...job, state: 'FORWARDING', dueAt: now });
    const claimed = await ledger.claimDue(now, now + 1_000);
    expect(claimed?.id).toBe(job.id);
    expect(await ledger.claimDue(now + 500, now + 1_500)).toBeUndefined(); // leased
    await ledger.extendLease(job.id, now + 5_000);
    expect(await ledger.claimDue(now + 2_000, now + 3_000)).toBeUndefined(); // lease extended
    expect((await ledger.claimDue(now + 5_000, now + 6_000))?.id).toBe(job.id); // the worker died: claimed again
    await ledger.put({ ...job, state: 'FAILED', errorCode: 'MAVI_REJECTED', expiresAt: now + 60_000 });
    expect(await ledger.claimDue(now + 10_000, now + 11_000)).toBeUndefined();
    await ledger.close?.();
  });

  it.skipIf(!available)('updates a record only within its state, keeping a lease and moving an expiry', async () => {
    const ledger = open();
    const now = Date.now();
    const receiving = upload('gail', 1, { expiresAt: now - 1 });
    await ledger.admit(receiving, bounds);
    // Activity moves a RECEIVING upload's expiry on: it is no longer listed as expired.
    const touched = await ledger.update(receiving.id, 'RECEIVING', (current) => ({
      ...current,
      expiresAt: now + 60_000,
    }));
    expect(touched?.expiresAt).toBe(now + 60_000);
    expect((await ledger.expired(now, 10)).map((u) => u.id)).toEqual([]);
    // A progress report for a job keeps its lease.
    await ledger.put({ ...receiving, state: 'FORWARDING', dueAt: now });
    await ledger.claimDue(now, now + 5_000);
    const progressed = await ledger.update(receiving.id, 'FORWARDING', (current) => ({
      ...current,
      attempts: 1,
      bytesForwarded: 7,
    }));
    expect(progressed).toMatchObject({ attempts: 1, bytesForwarded: 7 });
    expect(await ledger.claimDue(now + 1_000, now + 6_000)).toBeUndefined(); // still leased
    // A late report never undoes a transition.
    await ledger.put({ ...receiving, state: 'REGISTERED', videoNo: 'v9', expiresAt: now + 60_000 });
    expect(await ledger.update(receiving.id, 'FORWARDING', (current) => ({ ...current, bytesForwarded: 9 }))).toBe(
      undefined,
    );
    expect(await ledger.get(receiving.id)).toMatchObject({ state: 'REGISTERED', videoNo: 'v9', bytesForwarded: 0 });
    await ledger.close?.();
  });

  it.skipIf(!available)('lists unfinished uploads past their expiry, and only those', async () => {
    const ledger = open();
    const now = Date.now();
    const old = upload('dave', 1, { expiresAt: now - 1 });
    const fresh = upload('dave', 1, { expiresAt: now + 60_000 });
    await ledger.admit(old, bounds);
    await ledger.admit(fresh, bounds);
    expect((await ledger.expired(now, 10)).map((u) => u.id)).toEqual([old.id]);
    expect((await ledger.receiving(10)).map((u) => u.id).sort()).toEqual([old.id, fresh.id].sort());
    await ledger.close?.();
  });

  it.skipIf(!available)("lists an owner's staged uploads (receiving or forwarding), and no one else's", async () => {
    const ledger = open();
    const now = Date.now();
    const receiving = upload('erin', 1);
    const forwarding = upload('erin', 1);
    const registered = upload('erin', 1);
    const others = upload('frank', 1);
    for (const made of [receiving, forwarding, registered, others]) await ledger.admit(made, bounds);
    await ledger.put({ ...forwarding, state: 'FORWARDING', dueAt: now });
    await ledger.put({ ...registered, state: 'REGISTERED', videoNo: 'v1', expiresAt: now + 60_000 });
    expect((await ledger.staged('erin', 10)).map((u) => u.id).sort()).toEqual([receiving.id, forwarding.id].sort());
    expect(await ledger.staged('erin', 1)).toHaveLength(1);
    expect(await ledger.staged('nobody', 10)).toEqual([]);
    await ledger.close?.();
  });
});

describe('SQLite ledger across a restart', () => {
  it('a lease held when the process died is released at the next open: the job is due at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
    dirs.push(dir);
    const first = openSqliteStagingLedger(dir, 'full');
    const job = upload('erin', 10);
    await first.admit(job, bounds);
    const now = Date.now();
    await first.put({ ...job, state: 'FORWARDING', dueAt: now });
    expect((await first.claimDue(now, now + 60_000))?.id).toBe(job.id);
    await first.close?.();
    const reopened = openSqliteStagingLedger(dir, 'full');
    expect((await reopened.claimDue(Date.now(), Date.now() + 60_000))?.id).toBe(job.id);
    await reopened.close?.();
  });
});
