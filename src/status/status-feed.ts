/**
 * What a `videoStatus` subscriber sees: the current status first, then one event
 * per change, and the end right after a terminal status (or when the bus ends
 * the subscription at shutdown). The caller subscribes to the bus *before*
 * reading the record, so a change landing in between is not lost; `nextStatus`
 * drops it when the record already had it.
 *
 * An iterator object, not an async generator: a generator's `return()` runs its
 * clean-up only if it has started, and only after a pending `next()` settles. A
 * subscriber that leaves at once, or while waiting for the next status, would
 * then keep its bus listener (and, on Redis, its channel) until the video next
 * changed, or forever. Here `return()` releases the listener at once, always.
 */
import type { VideoStatus } from '../mavi/types.js';
import type { StatusChange, VideoRecord } from './status-store.js';
import { isTerminal, nextStatus } from './transitions.js';

interface ChangeSource {
  next(): Promise<IteratorResult<StatusChange>>;
  return(): Promise<unknown>;
}

const DONE: IteratorResult<StatusChange> = { done: true, value: undefined };

export class StatusFeed implements AsyncIterableIterator<StatusChange> {
  /** The status last sent; undefined until the replay is sent. */
  private current: VideoStatus | undefined;
  private ended = false;

  constructor(
    private readonly record: VideoRecord,
    private readonly changes: ChangeSource,
  ) {}

  async next(): Promise<IteratorResult<StatusChange>> {
    if (this.ended) return DONE;
    if (this.current === undefined) {
      this.current = this.record.status;
      return {
        done: false,
        value: { videoNo: this.record.videoNo, status: this.current, receivedAt: this.record.updatedAt },
      };
    }
    while (!isTerminal(this.current)) {
      const next = await this.changes.next();
      if (next.done || this.ended) break;
      if (nextStatus(this.current, next.value.status) === undefined) continue;
      this.current = next.value.status;
      return { done: false, value: next.value };
    }
    return this.return();
  }

  async return(): Promise<IteratorResult<StatusChange>> {
    if (!this.ended) {
      this.ended = true;
      await this.changes.return();
    }
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<StatusChange>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
