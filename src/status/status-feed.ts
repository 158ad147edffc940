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
 *
 * A video deleted while followed ends its feed with the VideoRemoved event: the
 * subscriber is told (the resolver turns it into VIDEO_DELETED), then completes.
 */
import type { VideoStatus } from '../mavi/types.js';
import type { StatusEvent, VideoRecord } from './status-store.js';
import { isTerminal, nextStatus } from './transitions.js';

interface ChangeSource {
  next(): Promise<IteratorResult<StatusEvent>>;
  return(): Promise<unknown>;
}

const DONE: IteratorResult<StatusEvent> = { done: true, value: undefined };

export class StatusFeed implements AsyncIterableIterator<StatusEvent> {
  /** The status last sent; undefined until the replay is sent. */
  private current: VideoStatus | undefined;
  private ended = false;
  private removed = false;

  constructor(
    private readonly record: VideoRecord,
    private readonly changes: ChangeSource,
  ) {}

  async next(): Promise<IteratorResult<StatusEvent>> {
    if (this.ended) return DONE;
    if (this.current === undefined) {
      this.current = this.record.status;
      return {
        done: false,
        value: { videoNo: this.record.videoNo, status: this.current, receivedAt: this.record.updatedAt },
      };
    }
    while (!isTerminal(this.current) && !this.removed) {
      const next = await this.changes.next();
      if (next.done || this.ended) break;
      const event = next.value;
      if ('removed' in event) {
        this.removed = true;
        return { done: false, value: event };
      }
      if (nextStatus(this.current, event.status) === undefined) continue;
      this.current = event.status;
      return { done: false, value: event };
    }
    return this.return();
  }

  async return(): Promise<IteratorResult<StatusEvent>> {
    if (!this.ended) {
      this.ended = true;
      await this.changes.return();
    }
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<StatusEvent>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
