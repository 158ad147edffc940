/**
 * The one feed every subscription is (events/follow.ts), and the rules of the status and
 * progress feeds, over a source of the test's own: replay, changes that move on, the end after
 * the last, and a return() that lets go of the source at once, even mid-wait.
 */
import { describe, expect, it } from 'vitest';
import { follow, type Changes } from '../../src/events/follow.js';
import { progressFeed, type UploadProgress } from '../../src/staging/progress-feed.js';
import { statusFeed } from '../../src/status/status-feed.js';
import type { StatusEvent, VideoRecord } from '../../src/status/status-store.js';

/** A source whose events the test pushes; it counts whether it was let go. */
class Source<Event> implements Changes<Event> {
  released = 0;
  private queued: Event[] = [];
  private waiting: ((result: IteratorResult<Event>) => void) | undefined;

  push(...events: Event[]): void {
    for (const event of events) {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve({ done: false, value: event });
      } else this.queued.push(event);
    }
  }

  next(): Promise<IteratorResult<Event>> {
    const event = this.queued.shift();
    if (event !== undefined) return Promise.resolve({ done: false, value: event });
    if (this.released > 0) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<void> {
    this.released += 1;
    this.waiting?.({ done: true, value: undefined });
    this.waiting = undefined;
  }
}

async function take<Event>(feed: AsyncIterable<Event>): Promise<Event[]> {
  const seen: Event[] = [];
  for await (const event of feed) seen.push(event);
  return seen;
}

describe('follow', () => {
  it('sends the first state, then the changes that move on, and ends after the last', async () => {
    const source = new Source<number>();
    source.push(1, 3, 2, 5, 9);
    const feed = follow(source, { first: 0, isLast: (n) => n >= 5, movesOn: (last, n) => n > last });
    expect(await take(feed)).toEqual([0, 1, 3, 5]);
    expect(source.released).toBe(1);
  });

  it('lets go of its source at once when returned before reading, or while waiting', async () => {
    const early = new Source<number>();
    await follow(early, { first: 0, isLast: () => false }).return();
    expect(early.released).toBe(1);

    const waiting = new Source<number>();
    const feed = follow(waiting, { first: 0, isLast: () => false });
    await feed.next();
    const pending = feed.next();
    await feed.return();
    expect(waiting.released).toBe(1);
    expect(await pending).toEqual({ done: true, value: undefined });
    await feed.return();
    expect(waiting.released).toBe(1);
  });

  it('releases its source when the source fails, and passes the failure on', async () => {
    let released = false;
    const failing: Changes<number> = {
      next: () => Promise.reject(new Error('transport lost')),
      return: async () => (released = true),
    };
    await expect(follow(failing, { isLast: () => false }).next()).rejects.toThrow('transport lost');
    expect(released).toBe(true);
  });
});

describe('the status feed', () => {
  const record = { videoNo: 'v', status: 'UNPARSE', updatedAt: 1 } as VideoRecord;

  it('replays the status, drops repeats and steps back, and ends at a terminal status', async () => {
    const source = new Source<StatusEvent>();
    source.push(
      { videoNo: 'v', status: 'UNPARSE', receivedAt: 2 },
      { videoNo: 'v', status: 'PARSE', receivedAt: 3 },
      { videoNo: 'v', status: 'FAIL', receivedAt: 4 },
    );
    const statuses = (await take(statusFeed(record, source))).map((event) => ('status' in event ? event.status : '-'));
    expect(statuses).toEqual(['UNPARSE', 'PARSE']);
  });

  it('ends with the removal of a deleted video', async () => {
    const source = new Source<StatusEvent>();
    source.push({ videoNo: 'v', removed: true } as StatusEvent);
    const events = await take(statusFeed(record, source));
    expect(events.at(-1)).toMatchObject({ removed: true });
    expect(events).toHaveLength(2);
  });
});

describe('the progress feed', () => {
  const at = (state: UploadProgress['state'], offset: number) => ({ id: 'u', state, offset }) as UploadProgress;

  it('never steps back to an earlier state or offset, and ends at REGISTERED or FAILED', async () => {
    const source = new Source<UploadProgress>();
    source.push(
      at('RECEIVING', 10),
      at('RECEIVING', 5),
      at('FORWARDING', 20),
      at('RECEIVING', 30),
      at('REGISTERED', 20),
      at('FORWARDING', 20),
    );
    const seen = (await take(progressFeed(at('RECEIVING', 0), source))).map((event) =>
      'state' in event ? `${event.state}:${event.offset}` : 'removed',
    );
    expect(seen).toEqual(['RECEIVING:0', 'RECEIVING:10', 'FORWARDING:20', 'REGISTERED:20']);
  });
});
