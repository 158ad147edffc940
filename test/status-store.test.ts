/** The in-memory status store: transitions, early callbacks, and its bounds in count and age. */
import { describe, expect, it } from 'vitest';
import { createMemoryStatusStore } from '../src/status/memory-status-store.js';
import type { VideoRecord } from '../src/status/status-store.js';
import { nextStatus } from '../src/status/transitions.js';

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

describe('memory status store', () => {
  it('holds an early callback and applies it when the upload completes; keeps the terminal one', async () => {
    const store = createMemoryStatusStore();
    await store.openUpload('u1', 'anonymous');
    expect(await store.applyCallback('u1', 'v1', 'PARSE', T + 10)).toEqual({ kind: 'held' });
    expect(await store.applyCallback('u1', 'v1', 'UNPARSE', T + 11)).toEqual({ kind: 'held' });
    const completed = await store.completeUpload('u1', record('v1', 5));
    expect(completed.change).toEqual({ videoNo: 'v1', status: 'PARSE', receivedAt: T + 10 });
    expect(completed.record.status).toBe('PARSE');
    expect(await store.applyCallback('u1', 'v2', 'FAIL', 12)).toEqual({ kind: 'wrong-video', expectedVideoNo: 'v1' });
    expect(await store.applyCallback('nope', 'v1', 'FAIL', 12)).toEqual({ kind: 'unknown-upload' });
    await store.close();
  });

  it('forgets an abandoned upload', async () => {
    const store = createMemoryStatusStore();
    await store.openUpload('u1', 'anonymous');
    await store.abandonUpload('u1');
    expect(await store.applyCallback('u1', 'v1', 'PARSE', 1)).toEqual({ kind: 'unknown-upload' });
    await store.close();
  });

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
    await store.close();
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
    await store.close();
  });

  it('lists pending videos, oldest update first, without terminal ones', async () => {
    const store = createMemoryStatusStore();
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      await store.openUpload(`u-${id}`, 'anonymous');
      await store.completeUpload(`u-${id}`, record(id, i));
    }
    await store.applyStatus('b', 'FAIL', T + 10);
    expect((await store.pending(10)).map((video) => video.videoNo)).toEqual(['a', 'c']);
    expect((await store.pending(1)).map((video) => video.videoNo)).toEqual(['a']);
    await store.close();
  });
});
