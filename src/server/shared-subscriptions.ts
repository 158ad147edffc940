/**
 * Subscriptions that ask the same thing share one stream: each event is
 * executed, masked and serialised once per group, and each subscriber's
 * transport only frames it (a websocket's `next` message with its id, an SSE
 * `next` event). A group is one caller's subscriptions with the
 * same query, operation name and variables, for fields the schema marks
 * shareable (graphql/shared-results.ts).
 *
 * Why: a status change watched by N sockets used to run N copies of everything
 * between the event bus and the socket (the status feed, graphql-js's event
 * mapping and execution, envelop's and Yoga's result mappers, graphql-ws's
 * message building), and every idle subscription held that whole iterator
 * stack (about 18 KiB; bench/ANALYSIS.md).
 *
 * How a subscriber joins: it subscribes through Yoga like any other operation
 * (every plugin runs for it: its quota turn, its span, its own existence and
 * ownership checks, refusals masked and sent as before). Only when that opened
 * a stream does it come here:
 *  - with no live group for its key, its stream becomes the group's source;
 *  - otherwise its own stream is closed unread, and the group's latest event is
 *    its first (the replay). The group has listened since before that event,
 *    so nothing between the replay and the next event can be missed.
 *
 * Each transport keeps its own groups (one SharedSubscriptions each): its
 * members are counted under its name. On a websocket, graphql-ws still owns ids
 * and completion: each subscriber is a small iterator that yields nothing (the
 * group writes its `next` frames) and ends when the group does, after which
 * graphql-ws sends `complete` as for any subscription (SocketSubscriber). An SSE
 * subscriber writes to its response itself (server/event-streams.ts).
 * A subscriber that leaves only leaves its group; the last one out closes the
 * source (and so its bus listener).
 */
import type { ExecutionResult } from 'graphql';
import type { Viewer } from '../identity.js';
import type { Logger } from '../logger.js';

/** The group a subscription belongs to: its caller's, for the same operation and variables. */
export function groupKey(
  viewer: Viewer,
  params: { query: string; operationName?: string | null; variables?: unknown },
): string {
  return JSON.stringify([viewer.ownerId, params.operationName ?? null, params.variables ?? null, params.query]);
}

/** Writes one text frame to a subscriber's socket (never throws; a closed socket drops it). */
export type SendFrame = (frame: string) => void;

/** One subscriber of a group, as its transport writes to it. None of these throws. */
export interface GroupMember {
  /** Writes one event, given as its serialised result. */
  deliver(payload: string): void;
  /** The group's stream ended: the subscription completes. */
  finish(): void;
  /** The group's stream failed. */
  fail(error: unknown): void;
}

export interface SharedSubscriptionsOptions {
  /** One event's result as JSON: the payload every member frames. */
  serialise: (result: ExecutionResult) => string;
  /** Told how many subscribers one event was written to (the delivery counter). */
  delivered: (count: number) => void;
  logger: Logger;
}

/** What a member holds of its group: the way out (a no-op once the group ended). */
export interface Membership {
  leave(member: GroupMember): void;
}

const DONE: IteratorResult<never> = { done: true, value: undefined };

export class SharedSubscriptions {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly options: SharedSubscriptionsOptions) {}

  /**
   * Adds a subscriber whose own subscribe just opened `stream` (closed unread when a
   * group for `key` is already live). Answers the group, which the member leaves by.
   */
  join(key: string, stream: AsyncIterable<ExecutionResult>, member: GroupMember): Membership {
    const group = this.groups.get(key);
    if (group !== undefined) {
      this.closeUnread(stream);
      group.add(member);
      return group;
    }
    const created: Group = new Group(stream[Symbol.asyncIterator](), this.options, () => {
      // Forget the group the moment it ends or empties, so no one joins a group that is going.
      if (this.groups.get(key) === created) this.groups.delete(key);
    });
    this.groups.set(key, created);
    created.add(member);
    created.run();
    return created;
  }

  private closeUnread(stream: AsyncIterable<ExecutionResult>): void {
    const iterator = stream[Symbol.asyncIterator]();
    iterator
      .return?.()
      .catch((error: unknown) => this.options.logger.warn('closing a joined stream failed', { error }));
  }
}

class Group implements Membership {
  private readonly members = new Set<GroupMember>();
  /** The latest event's payload: a joining subscriber's replay. */
  private latest: string | undefined;
  private over = false;

  constructor(
    private readonly source: AsyncIterator<ExecutionResult>,
    private readonly options: SharedSubscriptionsOptions,
    private readonly forget: () => void,
  ) {}

  add(member: GroupMember): void {
    this.members.add(member);
    if (this.latest !== undefined) member.deliver(this.latest);
  }

  leave(member: GroupMember): void {
    if (!this.members.delete(member) || this.members.size > 0 || this.over) return;
    // The last subscriber left: the source stops listening.
    this.over = true;
    this.forget();
    this.source
      .return?.()
      .catch((error: unknown) => this.options.logger.warn('closing a shared stream failed', { error }));
  }

  run(): void {
    this.pump().then(
      () => this.end((member) => member.finish()),
      (error: unknown) => this.end((member) => member.fail(error)),
    );
  }

  private async pump(): Promise<void> {
    for (;;) {
      const next = await this.source.next();
      if (next.done || this.over) return;
      const latest = (this.latest = this.options.serialise(next.value));
      for (const member of this.members) member.deliver(latest);
      this.options.delivered(this.members.size);
    }
  }

  private end(settle: (member: GroupMember) => void): void {
    this.over = true;
    this.forget();
    // Cleared first: a member that leaves while it settles finds itself gone already.
    const members = [...this.members];
    this.members.clear();
    for (const member of members) settle(member);
  }
}

/**
 * A websocket subscriber: its frame prefix (the id), its socket, and the iterator graphql-ws
 * follows for it in place of its own stream, whose promise settles when the group ends.
 */
export class SocketSubscriber implements GroupMember, AsyncIterableIterator<never> {
  /** Set once joined. */
  group: Membership | undefined;
  private readonly prefix: string;
  /** Set once the group ended or the subscriber left: DONE, or the group's error. */
  private outcome: Promise<IteratorResult<never>> | undefined;
  /** Settles the promise graphql-ws waits on (with DONE, or with a rejected promise: the error). */
  private settleWaiting: ((result: Promise<IteratorResult<never>>) => void) | undefined;

  /**
   * @param ended told once, when the subscription ends however it ends (the open-subscriptions
   *   gauge): one function for every subscriber, so nothing per subscriber is kept for it.
   */
  constructor(
    id: string,
    private readonly send: SendFrame,
    private readonly ended?: () => void,
  ) {
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  }

  deliver(payload: string): void {
    this.send(this.prefix + payload + '}');
  }

  next(): Promise<IteratorResult<never>> {
    return (
      this.outcome ??
      new Promise((resolve) => {
        this.settleWaiting = resolve;
      })
    );
  }

  /** The subscriber left (complete message, socket closed). */
  async return(): Promise<IteratorResult<never>> {
    if (this.outcome === undefined) {
      this.group?.leave(this);
      this.finish();
    }
    return DONE;
  }

  finish(): void {
    this.settle(Promise.resolve(DONE));
  }

  fail(error: unknown): void {
    const failed = Promise.reject(error);
    failed.catch(() => undefined); // read by whoever waits, or by the next call to next()
    this.settle(failed);
  }

  private settle(outcome: Promise<IteratorResult<never>>): void {
    if (this.outcome !== undefined) return;
    this.outcome = outcome;
    this.ended?.();
    this.settleWaiting?.(outcome);
    this.settleWaiting = undefined;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
