/**
 * The status stores: the transition rules; the contract every store (memory, Redis)
 * keeps, run against each; and the memory store's bounds in count and age.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStatusStore } from '../src/status/memory-status-store.js';
import { createRedisStatusStore } from '../src/status/redis-status-store.js';
import type { StatusStore, VideoRecord } from '../src/status/status-store.js';
import { nextStatus } from '../src/status/transitions.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from './utils/redis.js';

const T = Date.now();
/** A record updated `at` ms after the test started (the store forgets records older than a week). */
const record = (videoNo: string, offset: number): VideoRecord => ({
  videoNo,
  videoName: `${videoNo}.mp4`,
  status: 'UNPARSE',
  uploadTime: T + offset,
  updatedAt: T + offset,
  ownerId: 'anonymous',
});

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

const hasRedis = await requireRedis('test/status-store.test.ts');
const redis = hasRedis ? new Redis(REDIS_URL) : undefined;
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(prefix);
  redis?.disconnect();
});

const implementations: [string, () => StatusStore, boolean][] = [
  ['memory', () => createMemoryStatusStore(), true],
  [
    'redis',
    () => {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      return createRedisStatusStore({ redis: redis!, prefix });
    },
    hasRedis,
  ],
];

describe.each(implementations)('%s status store: the shared contract', (_name, create, available) => {
  it.skipIf(!available)(
    'holds an early callback and applies it when the upload completes; keeps the terminal one',
    async () => {
      const store = create();
      await store.openUpload('u1', 'anonymous');
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
    await store.openUpload('u1', 'anonymous');
    await store.applyCallback('u1', 'v-other', 'PARSE', T + 1);
    const completed = await store.completeUpload('u1', record('v1', 0));
    expect(completed).toMatchObject({ change: undefined, discardedVideoNo: 'v-other' });
    expect((await store.get('v1'))?.status).toBe('UNPARSE');
    await store.close?.();
  });

  it.skipIf(!available)('applies callbacks through the transitions, once per change', async () => {
    const store = create();
    await store.openUpload('u1', 'anonymous');
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

  it.skipIf(!available)('forgets an abandoned upload', async () => {
    const store = create();
    await store.openUpload('u1', 'anonymous');
    await store.abandonUpload('u1');
    expect(await store.applyCallback('u1', 'v1', 'PARSE', T + 1)).toEqual({ kind: 'unknown-upload' });
    await store.close?.();
  });

  it.skipIf(!available)('lists pending videos, oldest update first, without terminal ones', async () => {
    const store = create();
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      await store.openUpload(`u-${id}`, 'anonymous');
      await store.completeUpload(`u-${id}`, record(id, i));
    }
    await store.applyStatus('b', 'FAIL', T + 10);
    expect((await store.pending(10)).map((video) => video.videoNo)).toEqual(['a', 'c']);
    expect((await store.pending(1)).map((video) => video.videoNo)).toEqual(['a']);
    await store.close?.();
  });
});

describe('memory status store: its bounds', () => {
  it('evicts the least recently updated video past maxVideos', async () => {
    const store = createMemoryStatusStore({ maxVideos: 2 });
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      await store.openUpload(`u-${id}`, 'anonymous');
      await store.completeUpload(`u-${id}`, record(id, i));
      if (id === 'b') await store.applyStatus('a', 'PARSE', T + 100); // touching a makes b the oldest
    }
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('c')).toBeDefined();
    expect(await store.applyCallback('u-b', 'b', 'PARSE', 200)).toEqual({ kind: 'unknown-upload' });
    await store.close?.();
  });

  it('forgets a video not updated for maxAgeMs', async () => {
    let now = T;
    const store = createMemoryStatusStore({ maxAgeMs: 500, now: () => now });
    await store.openUpload('u1', 'anonymous');
    await store.completeUpload('u1', record('v1', 0));
    now += 400;
    expect(await store.get('v1')).toBeDefined();
    now += 200;
    expect(await store.get('v1')).toBeUndefined();
    expect(await store.pending(10)).toEqual([]);
    await store.close?.();
  });
});
