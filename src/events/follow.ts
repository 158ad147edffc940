/**
 * The one shape of every subscription the gateway serves (a video's status, a resumable
 * upload's progress, a transcript becoming ready): the state now, then each change that moves
 * it on, until the last one.
 *
 * An iterator object, not an async generator: a generator's `return()` runs its clean-up only
 * if it has started, and only after a pending `next()` settles. A subscriber that leaves at
 * once, or while waiting for the next change, would then keep its bus listener (and, on Redis,
 * its channel) until the next change came, or for ever. Here `return()` releases the source at
 * once, always, and a `next()` waiting on it ends.
 */

/** Where the changes come from: a bus subscription, or anything that reads like one. */
export interface Changes<Event> {
  next(): Promise<IteratorResult<Event>>;
  /** Lets go of what the source holds (a listener, a channel); a pending next() then ends. */
  return(): Promise<unknown>;
}

export interface FollowRules<Event> {
  /** Sent first, before any change: the state now. Without it, the first change is first. */
  first?: Event;
  /** Whether nothing comes after this event. */
  isLast(event: Event): boolean;
  /** Whether `event` moves on from `last` (events from several instances may cross, or repeat). */
  movesOn?(last: Event, event: Event): boolean;
}

/** A followed subscription: its `return()` is always there, and always releases the source. */
export interface Feed<Event> extends AsyncIterableIterator<Event> {
  return(): Promise<IteratorResult<Event>>;
}

const DONE = { done: true, value: undefined } as const;

/** Follows `changes` by `rules`: an iterator whose `return()` releases the source at once. */
export function follow<Event>(changes: Changes<Event>, rules: FollowRules<Event>): Feed<Event> {
  return new FeedIterator(changes, rules);
}

class FeedIterator<Event> implements Feed<Event> {
  private last: Event | undefined;
  private started = false;
  private ended = false;

  constructor(
    private readonly changes: Changes<Event>,
    private readonly rules: FollowRules<Event>,
  ) {}

  async next(): Promise<IteratorResult<Event>> {
    if (this.ended) return DONE;
    if (!this.started) {
      this.started = true;
      if (this.rules.first !== undefined) return this.emit(this.rules.first);
    }
    while (this.last === undefined || !this.rules.isLast(this.last)) {
      let next: IteratorResult<Event>;
      try {
        next = await this.changes.next();
      } catch (error) {
        await this.return();
        throw error;
      }
      if (next.done || this.ended) break;
      if (this.last !== undefined && this.rules.movesOn && !this.rules.movesOn(this.last, next.value)) continue;
      return this.emit(next.value);
    }
    return this.return();
  }

  async return(): Promise<IteratorResult<Event>> {
    if (!this.ended) {
      this.ended = true;
      await this.changes.return();
    }
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<Event>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private emit(event: Event): IteratorResult<Event> {
    this.last = event;
    return { done: false, value: event };
  }
}
