/**
 * The status stores: the transition rules; the contract every store keeps (SQLite
 * on a file, SQLite in memory, Redis), run against each, including what survives
 * the process (SQLite's file and Redis: an in-memory database goes with it); and
 * SQLite's bounds in size and age.
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { EVERY_OWNER } from '../../src/identity.js';
import { waitUntil } from '../utils/wait.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  DATABASE_FILE,
  openSqliteStatusStore,
  type SqliteStatusStoreOptions,
} from '../../src/status/sqlite-status-store.js';
import { createRedisStatusStore } from '../../src/status/redis-status-store.js';
import {
  storedBytes,
  type ListPosition,
  type StatusStore,
  type VideoListPage,
  type VideoRecord,
} from '../../src/status/status-store.js';
import { nextStatus } from '../../src/status/transitions.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from '../utils/redis.js';
import type { KeyValueStore } from '../../src/kv/key-value-store.js';
import { createRedisKeyValueStore } from '../../src/kv/redis-key-value-store.js';
import { openSqliteKeyValueStore } from '../../src/kv/sqlite-key-value-store.js';

const T = Date.now();
/** A record updated `at` ms after the test started (the store forgets records older than a week). */
const record = (videoNo: string, offset: number): VideoRecord => ({
  videoNo,
  videoName: `${videoNo}.mp4`,
  status: 'UNPARSE',
  uploadTime: T + offset,
  updatedAt: T + offset,
  ownerId: 'anonymous',
  partition: 'partition-of-anonymous',
});
/** An owner, with a partition at MAVI of its own. */
const owner = (ownerId: string) => ({ ownerId, partition: `partition-of-${ownerId}` });

describe('transitions', () => {
  it.each([
    ['UNPARSE', 'UNPARSE', undefined],
    ['UNPARSE', 'PARSE', 'PARSE'],
    ['UNPARSE', 'FAIL', 'FAIL'],
    ['PARSE', 'PARSE', undefined],
    ['PARSE', 'FAIL', undefined],
    ['PARSE', 'UNPARSE', undefined],
    ['FAIL', 'PARSE', undefined],
    ['FAIL', 'UNPARSE', undefined],
  ] as const)('%s + %s → %s', (current, incoming, expected) => {
    expect(nextStatus(current, incoming)).toBe(expected);
  });
});

const hasRedis = await requireRedis('test/unit/status-store.test.ts');
const redis = hasRedis ? new Redis(REDIS_URL) : undefined;
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(prefix);
  redis?.disconnect();
});

const dataDirs: string[] = [];
const freshDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-test-'));
  dataDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});
const sqlite = (dataDir: string | undefined, options: Partial<SqliteStatusStoreOptions> = {}) =>
  openSqliteStatusStore({ dataDir, synchronous: 'full', maxBytes: 1024 ** 3, ...options });

const implementations: [string, () => StatusStore, boolean][] = [
  ['sqlite (a file)', () => sqlite(freshDataDir()), true],
  ['sqlite (in memory: STORE=memory)', () => sqlite(undefined), true],
  [
    'redis',
    () => {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      return createRedisStatusStore({ redis: redis!, prefix, instanceId: randomBytes(4).toString('hex') });
    },
    hasRedis,
  ],
];

/**
 * Where a store keeps its data (a DATA_DIR, a Redis prefix): each `open()` is the store of a
 * new process there, and `close()` is its process ending (for Redis, its heartbeat gone).
 */
const places: [string, () => { open(): StatusStore }, boolean][] = [
  [
    'sqlite',
    () => {
      const dir = freshDataDir();
      return { open: () => sqlite(dir) };
    },
    true,
  ],
  [
    'redis',
    () => {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      return {
        open: () => createRedisStatusStore({ redis: redis!, prefix, instanceId: randomBytes(4).toString('hex') }),
      };
    },
    hasRedis,
  ],
];

describe.each(implementations)('%s status store: the shared contract', (_name, create, available) => {
  it.skipIf(!available)(
    'holds an early callback and applies it when the upload completes; keeps the terminal one',
    async () => {
      const store = create();
      await store.openUpload('u1', owner('anonymous'), 'clip.mp4');
      expect(await store.applyCallback('u1', 'v1', 'PARSE', T + 10)).toEqual({ kind: 'held' });
      expect(await store.applyCallback('u1', 'v1', 'UNPARSE', T + 11)).toEqual({ kind: 'held' });
      const completed = await store.completeUpload('u1', record('v1', 5));
      expect(completed.change).toEqual({ videoNo: 'v1', status: 'PARSE', receivedAt: T + 10 });
      expect(completed.record.status).toBe('PARSE');
      expect((await store.get('v1'))?.status).toBe('PARSE');
      expect(await store.applyCallback('u1', 'v2', 'FAIL', T + 12)).toEqual({
        kind: 'wrong-video',
        expectedVideoNo: 'v1',
      });
      expect(await store.applyCallback('nope', 'v1', 'FAIL', T + 12)).toEqual({ kind: 'unknown-upload' });
      await store.close?.();
    },
  );

  it.skipIf(!available)('drops a held callback that names another video', async () => {
    const store = create();
    await store.openUpload('u1', owner('anonymous'), 'clip.mp4');
    await store.applyCallback('u1', 'v-other', 'PARSE', T + 1);
    const completed = await store.completeUpload('u1', record('v1', 0));
    expect(completed).toMatchObject({ change: undefined, discardedVideoNo: 'v-other' });
    expect((await store.get('v1'))?.status).toBe('UNPARSE');
    await store.close?.();
  });

  it.skipIf(!available)('applies callbacks through the transitions, once per change', async () => {
    const store = create();
    await store.openUpload('u1', owner('anonymous'), 'clip.mp4');
    await store.completeUpload('u1', record('v1', 0));
    const outcomes = [];
    for (const status of ['UNPARSE', 'PARSE', 'PARSE', 'UNPARSE', 'FAIL'] as const) {
      outcomes.push(await store.applyCallback('u1', 'v1', status, T + 100));
    }
    expect(outcomes).toEqual([
      { kind: 'applied', change: undefined },
      { kind: 'applied', change: { videoNo: 'v1', status: 'PARSE', receivedAt: T + 100 } },
      { kind: 'applied', change: undefined },
      { kind: 'applied', change: undefined },
      { kind: 'applied', change: undefined },
    ]);
    expect(await store.get('v1')).toMatchObject({ status: 'PARSE', updatedAt: T + 100, ownerId: 'anonymous' });
    expect(await store.applyStatus('unknown', 'PARSE', T)).toBeUndefined();
    await store.close?.();
  });

  it.skipIf(!available)('removes a video with its upload binding, once', async () => {
    const store = create();
    await store.openUpload('u1', owner('anonymous'), 'clip.mp4');
    await store.completeUpload('u1', record('v1', 0));
    expect(await store.remove('v1')).toBe(true);
    expect(await store.get('v1')).toBeUndefined();
    expect(await store.pending(10)).toEqual([]);
    expect(await store.applyCallback('u1', 'v1', 'PARSE', T + 1)).toEqual({ kind: 'unknown-upload' });
    expect(await store.remove('v1')).toBe(false);
    await store.close?.();
  });

  it.skipIf(!available)(
    'writes the events of each change in its log, in order, resumable from any cursor',
    async () => {
      const store = create();
      const start = await store.eventLogEnd();
      await store.openUpload('u1', owner('alice'), 'clip.mp4');
      await store.applyCallback('u1', 'v1', 'UNPARSE', T + 1); // held: no event yet
      await store.completeUpload('u1', { ...record('v1', 0), ownerId: 'alice' });
      await store.applyCallback('u1', 'v1', 'PARSE', T + 100);
      await store.applyCallback('u1', 'v1', 'PARSE', T + 101); // no change: no event
      await store.appendEvent('msg_once', 'transcript.ready', 'v1', T + 200);
      await store.appendEvent('msg_once', 'transcript.ready', 'v1', T + 201); // the same id: once
      await store.appendEvent('msg_unknown', 'transcript.ready', 'nope', T + 202); // no such video
      await store.remove('v1');
      await store.remove('v1'); // unknown now: no event
      const events = await store.eventsAfter(start, 100);
      expect(
        events.map(({ type, videoNo, status, previousStatus, ownerId }) => ({
          type,
          videoNo,
          status,
          previousStatus,
          ownerId,
        })),
      ).toEqual([
        { type: 'video.registered', videoNo: 'v1', status: 'UNPARSE', previousStatus: undefined, ownerId: 'alice' },
        { type: 'video.status_changed', videoNo: 'v1', status: 'PARSE', previousStatus: 'UNPARSE', ownerId: 'alice' },
        { type: 'video.ready', videoNo: 'v1', status: 'PARSE', previousStatus: undefined, ownerId: 'alice' },
        { type: 'transcript.ready', videoNo: 'v1', status: 'PARSE', previousStatus: undefined, ownerId: 'alice' },
        { type: 'video.deleted', videoNo: 'v1', status: 'PARSE', previousStatus: undefined, ownerId: 'alice' },
      ]);
      expect(new Set(events.map(({ id }) => id)).size).toBe(5);
      expect(events[3]!.id).toBe('msg_once');
      expect((await store.eventsAfter(events[2]!.cursor, 100)).map(({ type }) => type)).toEqual([
        'transcript.ready',
        'video.deleted',
      ]);
      expect(await store.eventLogEnd()).toBe(events[4]!.cursor);
      await store.close?.();
    },
  );

  it.skipIf(!available)("lists every owner's videos for the empty group (the app's service key)", async () => {
    const store = create();
    for (const [index, ownerId] of ['client:mobile', 'user:t1:u1', 'user:t2:u2', 'anonymous'].entries()) {
      await store.openUpload(`u${index}`, owner(ownerId), 'clip.mp4');
      await store.completeUpload(`u${index}`, { ...record(`v${index}`, index), ownerId });
    }
    await store.remove('v2');
    const page = await store.listVideos({ owners: { group: EVERY_OWNER }, limit: 10 });
    expect(page.records.map(({ videoNo }) => videoNo)).toEqual(['v3', 'v1', 'v0']);
    await store.close?.();
  });

  it.skipIf(!available)('forgets an abandoned upload', async () => {
    const store = create();
    await store.openUpload('u1', owner('anonymous'), 'clip.mp4');
    await store.abandonUpload('u1');
    expect(await store.applyCallback('u1', 'v1', 'PARSE', T + 1)).toEqual({ kind: 'unknown-upload' });
    await store.close?.();
  });

  it.skipIf(!available)('lists pending videos, oldest update first, without terminal ones', async () => {
    const store = create();
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      await store.openUpload(`u-${id}`, owner('anonymous'), 'clip.mp4');
      await store.completeUpload(`u-${id}`, record(id, i));
    }
    await store.applyStatus('b', 'FAIL', T + 10);
    expect((await store.pending(10)).map((video) => video.videoNo)).toEqual(['a', 'c']);
    expect((await store.pending(1)).map((video) => video.videoNo)).toEqual(['a']);
    await store.close?.();
  });

  it.skipIf(!available)(
    "lists one owner's videos newest first, ties by videoNo, filtered, page by page, without removed ones",
    async () => {
      const store = create();
      const add = async (videoNo: string, offset: number, ownerId = 'alice', videoName = `${videoNo}.mp4`) => {
        await store.openUpload(`u-${videoNo}`, owner(ownerId), videoName);
        await store.completeUpload(`u-${videoNo}`, { ...record(videoNo, offset), ownerId, videoName });
      };
      // Three share an upload time: their order is by videoNo, descending, on every store.
      await add('v1', 1);
      await add('v2', 2, 'alice', 'Beach Day.mp4');
      await add('v3', 2);
      await add('v4', 2);
      await add('v5', 3);
      await add('w1', 4, 'bob');
      await add('v6', 5);
      await store.applyStatus('v3', 'PARSE', T + 10);
      await store.remove('v6');

      const all: string[] = [];
      let after: ListPosition | undefined;
      const sizes: number[] = [];
      do {
        const page: VideoListPage = await store.listVideos({ owners: { ownerId: 'alice' }, after, limit: 2 });
        all.push(...page.records.map((r) => r.videoNo));
        sizes.push(page.records.length);
        after = page.next;
      } while (after);
      expect(all).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);
      expect(sizes).toEqual([2, 2, 1]);

      const exact = await store.listVideos({ owners: { ownerId: 'alice' }, limit: 5 });
      expect(exact.next).toBeUndefined();
      const parsed = await store.listVideos({ owners: { ownerId: 'alice' }, limit: 10, status: 'PARSE' });
      expect(parsed.records.map((r) => r.videoNo)).toEqual(['v3']);
      const named = await store.listVideos({ owners: { ownerId: 'alice' }, limit: 10, nameContains: 'beach' });
      expect(named.records.map((r) => r.videoName)).toEqual(['Beach Day.mp4']);
      const bobs = await store.listVideos({ owners: { ownerId: 'bob' }, limit: 10 });
      expect(bobs.records.map((r) => r.videoNo)).toEqual(['w1']);
      expect(await store.listVideos({ owners: { ownerId: 'nobody' }, limit: 10 })).toEqual({
        records: [],
        next: undefined,
      });
      await store.close?.();
    },
  );

  it.skipIf(!available)(
    "lists a group's videos (an administrator's view): every owner of the group, newest first, page by page",
    async () => {
      const store = create();
      const add = async (videoNo: string, offset: number, ownerId: string) => {
        await store.openUpload(`u-${videoNo}`, owner(ownerId), `${videoNo}.mp4`);
        await store.completeUpload(`u-${videoNo}`, { ...record(videoNo, offset), ownerId });
      };
      // Two users of tenant t1, one of tenant t10 (a prefix of neither), and a client key.
      await add('a1', 1, 'user:t1:alice');
      await add('b1', 2, 'user:t1:bob');
      await add('a2', 3, 'user:t1:alice');
      await add('x1', 4, 'user:t10:xavier');
      await add('k1', 5, 'client:app');
      await store.applyStatus('b1', 'PARSE', T + 10);
      await store.remove('a2');

      const all: string[] = [];
      let after: ListPosition | undefined;
      do {
        const page: VideoListPage = await store.listVideos({ owners: { group: 'user:t1:' }, after, limit: 1 });
        all.push(...page.records.map((r) => r.videoNo));
        after = page.next;
      } while (after);
      expect(all).toEqual(['b1', 'a1']);
      const parsed = await store.listVideos({ owners: { group: 'user:t1:' }, limit: 10, status: 'PARSE' });
      expect(parsed.records.map((r) => r.videoNo)).toEqual(['b1']);
      const other = await store.listVideos({ owners: { group: 'user:t10:' }, limit: 10 });
      expect(other.records.map((r) => r.videoNo)).toEqual(['x1']);
      await store.close?.();
    },
  );
});

const keyValueStores: [string, () => KeyValueStore, boolean][] = [
  ['sqlite (a file)', () => openSqliteKeyValueStore(freshDataDir(), 'full'), true],
  ['sqlite (in memory: STORE=memory)', () => openSqliteKeyValueStore(undefined, 'full'), true],
  [
    'redis',
    () => {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      return createRedisKeyValueStore(redis!, prefix);
    },
    hasRedis,
  ],
];

describe.each(keyValueStores)('%s key-value store', (_name, create, available) => {
  it.skipIf(!available)('sets, adds only when absent, expires and deletes', async () => {
    const store = create();
    expect(await store.get('k')).toBeUndefined();
    expect(await store.add('k', 'one', 60_000)).toBe(true);
    expect(await store.add('k', 'two', 60_000)).toBe(false);
    expect(await store.get('k')).toBe('one');
    await store.set('k', 'three', 60_000);
    expect(await store.get('k')).toBe('three');
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    await store.set('short', 'x', 30);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await store.get('short')).toBeUndefined();
    expect(await store.add('short', 'again', 60_000)).toBe(true);
    await store.close?.();
  });
});

/** Room for exactly two of the test's records (each accounted storedBytes). */
const TWO_RECORDS = storedBytes(record('a', 0)) * 2;

describe.each([
  ['sqlite (a file)', (maxBytes: number) => sqlite(freshDataDir(), { maxBytes })],
  ['sqlite (in memory)', (maxBytes: number) => sqlite(undefined, { maxBytes })],
] as const)('%s status store: its bound in bytes', (_name, create) => {
  it('evicts the least recently updated video past maxBytes', async () => {
    const store = create(TWO_RECORDS);
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      await store.openUpload(`u-${id}`, owner('anonymous'), 'clip.mp4');
      await store.completeUpload(`u-${id}`, record(id, i));
      if (id === 'b') await store.applyStatus('a', 'PARSE', T + 100); // touching a makes b the oldest
    }
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('c')).toBeDefined();
    expect(await store.applyCallback('u-b', 'b', 'PARSE', 200)).toEqual({ kind: 'unknown-upload' });
    await store.close?.();
  });
});

describe.each([
  ['sqlite (a file)', (options: { maxAgeMs: number; now: () => number }) => sqlite(freshDataDir(), options)],
  ['sqlite (in memory)', (options: { maxAgeMs: number; now: () => number }) => sqlite(undefined, options)],
] as const)('%s status store: its bound in age', (_name, create) => {
  it('forgets a video not updated for maxAgeMs', async () => {
    let now = T;
    const store = create({ maxAgeMs: 500, now: () => now });
    await store.openUpload('u1', owner('anonymous'), 'clip.mp4');
    await store.completeUpload('u1', record('v1', 0));
    now += 400;
    expect(await store.get('v1')).toBeDefined();
    now += 200;
    expect(await store.get('v1')).toBeUndefined();
    expect(await store.pending(10)).toEqual([]);
    await store.close?.();
  });
});

describe.each(places)('%s status store: what survives its process', (_name, place, available) => {
  it.skipIf(!available)('keeps records, bindings, pending videos and held callbacks across a reopen', async () => {
    const here = place();
    const first = here.open();
    await first.openUpload('u1', owner('owner-1'), 'one.mp4');
    await first.completeUpload('u1', record('v1', 0));
    await first.openUpload('u2', owner('owner-1'), 'two.mp4');
    await first.completeUpload('u2', record('v2', 1));
    await first.applyStatus('v2', 'PARSE', T + 50);
    await first.close?.();

    const second = here.open();
    expect(await second.get('v1')).toMatchObject({ status: 'UNPARSE', videoName: 'v1.mp4' });
    expect((await second.pending(10)).map((video) => video.videoNo)).toEqual(['v1']);
    expect(await second.applyCallback('u1', 'v1', 'FAIL', T + 60)).toEqual({
      kind: 'applied',
      change: { videoNo: 'v1', status: 'FAIL', receivedAt: T + 60 },
    });
    expect(await second.applyCallback('u2', 'v1', 'FAIL', T + 60)).toEqual({
      kind: 'wrong-video',
      expectedVideoNo: 'v2',
    });
    await second.close?.();
  });

  it.skipIf(!available)(
    'binds an upload the previous process never heard back about to the first authentic callback',
    async () => {
      const here = place();
      const crashed = here.open();
      await crashed.openUpload('u1', owner('owner-1'), 'cut.mp4');
      await crashed.close?.(); // MAVI's answer never arrived

      const restarted = here.open();
      const outcome = await restarted.applyCallback('u1', 'v-late', 'UNPARSE', T + 5);
      expect(outcome).toEqual({ kind: 'applied', change: { videoNo: 'v-late', status: 'UNPARSE', receivedAt: T + 5 } });
      expect(await restarted.get('v-late')).toEqual({
        videoNo: 'v-late',
        videoName: 'cut.mp4',
        status: 'UNPARSE',
        uploadTime: expect.any(Number),
        updatedAt: T + 5,
        ownerId: 'owner-1',
        partition: 'partition-of-owner-1', // the partition the upload was opened with
      });
      // From then on it is an ordinary bound upload: its token names that video only.
      expect(await restarted.applyCallback('u1', 'v-other', 'PARSE', T + 6)).toEqual({
        kind: 'wrong-video',
        expectedVideoNo: 'v-late',
      });
      expect((await restarted.applyCallback('u1', 'v-late', 'PARSE', T + 7)).kind).toBe('applied');
      expect((await restarted.get('v-late'))?.status).toBe('PARSE');
      await restarted.close?.();
    },
  );

  it.skipIf(!available)("does not let an interrupted upload's token take a video another upload has", async () => {
    const here = place();
    const crashed = here.open();
    await crashed.openUpload('u-theirs', owner('owner-2'), 'theirs.mp4');
    await crashed.completeUpload('u-theirs', { ...record('v-theirs', 0), ownerId: 'owner-2' });
    await crashed.openUpload('u-cut', owner('owner-1'), 'cut.mp4');
    await crashed.close?.();

    const restarted = here.open();
    expect((await restarted.applyCallback('u-cut', 'v-theirs', 'FAIL', T + 5)).kind).toBe('wrong-video');
    expect(await restarted.get('v-theirs')).toMatchObject({ status: 'UNPARSE', ownerId: 'owner-2' });
    await restarted.close?.();
  });

  it.skipIf(!available)('binds a callback held when the previous process died as soon as the store opens', async () => {
    const here = place();
    const crashed = here.open();
    await crashed.openUpload('u1', owner('owner-1'), 'held.mp4');
    expect(await crashed.applyCallback('u1', 'v-held', 'PARSE', T + 3)).toEqual({ kind: 'held' });
    await crashed.close?.();

    const restarted = here.open();
    // No further callback comes after a final one: the store binds it by itself (SQLite when it opens,
    // Redis in a sweep any instance runs).
    await waitUntil(async () => (await restarted.get('v-held'))?.status === 'PARSE', 'held callback bound');
    expect(await restarted.get('v-held')).toMatchObject({ status: 'PARSE', ownerId: 'owner-1', videoName: 'held.mp4' });
    await restarted.close?.();
  });
});

describe('sqlite status store: its file', () => {
  it('refuses a database written by a newer schema, naming the path and both versions', () => {
    const dir = freshDataDir();
    const db = new Database(join(dir, DATABASE_FILE));
    db.pragma('user_version = 99');
    db.close();
    expect(() => sqlite(dir)).toThrow(/gateway\.sqlite has schema version 99, newer than this gateway knows \(6\)/);
  });

  it('gives a video stored before partitions were kept the partition its owner id implied then', async () => {
    const dir = freshDataDir();
    const store = sqlite(dir);
    await store.openUpload('u1', owner('client:app'), 'old.mp4');
    await store.completeUpload('u1', { ...record('v-old', 0), ...owner('client:app') });
    await store.close?.();
    const db = new Database(join(dir, DATABASE_FILE));
    db.prepare('UPDATE videos SET mavi_partition = NULL').run();
    db.close();
    const reopened = sqlite(dir);
    expect(await reopened.get('v-old')).toMatchObject({ ownerId: 'client:app', partition: 'app' });
    await reopened.close?.();
  });

  it('refuses a corrupt database file, naming the path and the reason', () => {
    const dir = freshDataDir();
    writeFileSync(join(dir, DATABASE_FILE), 'this is not a database, just text '.repeat(200));
    expect(() => sqlite(dir)).toThrow(/gateway\.sqlite: file is not a database/);
  });
});
