/**
 * `videoEvents`: every event of the log (video-events.ts) that one viewer may see, from a cursor
 * on. The log is the source: a signal on the bus (published whenever a change may have added
 * events, on any instance) only says "read again". So a subscriber that reconnects with the
 * last cursor it got misses nothing in between, within the log's retention.
 */
import type { Changes } from '../events/follow.js';
import type { StatusStore } from './status-store.js';
import type { StoredVideoEvent } from './video-events.js';

/** Events read from the log at once. */
const BATCH = 100;

export class EventLogChanges implements Changes<StoredVideoEvent> {
  private readonly buffered: StoredVideoEvent[] = [];

  constructor(
    private readonly store: Pick<StatusStore, 'eventsAfter'>,
    private readonly signals: Changes<unknown>,
    private cursor: string,
    private readonly visible: (event: StoredVideoEvent) => boolean,
  ) {}

  async next(): Promise<IteratorResult<StoredVideoEvent>> {
    for (;;) {
      const buffered = this.buffered.shift();
      if (buffered !== undefined) return { done: false, value: buffered };
      const events = await this.store.eventsAfter(this.cursor, BATCH);
      if (events.length > 0) {
        this.cursor = events.at(-1)!.cursor;
        this.buffered.push(...events.filter(this.visible));
        continue;
      }
      // Nothing new: wait for a signal (one published after the read above is queued), or the end.
      const signal = await this.signals.next();
      if (signal.done) return { done: true, value: undefined };
    }
  }

  return(): Promise<unknown> {
    return this.signals.return();
  }
}

/** A cursor as the stores spell it: SQLite's sequence number, or a Redis stream id. */
export function isEventCursor(cursor: string): boolean {
  return /^\d{1,20}(-\d{1,20})?$/.test(cursor);
}
