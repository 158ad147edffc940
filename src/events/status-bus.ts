/**
 * The status event bus: one topic per video, carried by an event transport (in
 * memory for one instance, Redis for several).
 *
 * Why not Yoga's createPubSub: its subscriptions are lazy Repeaters that start
 * listening only when first read, and on Redis a SUBSCRIBE takes a round trip.
 * `videoStatus` must be listening *before* it reads the current status, or a
 * change landing in between is lost. Here `subscribe` listens at once and queues,
 * and `ready` resolves once the transport delivers to the new listener.
 */
import { setMaxListeners } from 'node:events';
import type { StatusChange } from '../status/status-store.js';

/** The part of EventTarget the bus uses; @graphql-yoga/redis-event-target provides the same. */
export interface EventTargetLike {
  addEventListener(type: string, listener: (event: CustomEvent) => void): void;
  removeEventListener(type: string, listener: (event: CustomEvent) => void): void;
  dispatchEvent(event: CustomEvent): boolean;
}

export interface StatusEventTransport {
  readonly target: EventTargetLike;
  /** Resolves once every listener added so far receives events published from now on. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export function memoryTransport(target: EventTargetLike = unboundedEventTarget()): StatusEventTransport {
  return { target, settled: async () => undefined, close: async () => undefined };
}

/** Many subscribers to one video are normal: no MaxListenersExceededWarning at 11 of them. */
function unboundedEventTarget(): EventTargetLike {
  const target = new EventTarget();
  setMaxListeners(0, target);
  return target as EventTargetLike;
}

/** Events one subscriber may have waiting; a video has three statuses, so this is never reached in practice. */
const MAX_QUEUED = 64;

export class StatusSubscription implements AsyncIterator<StatusChange> {
  /** Resolves once this subscription receives every change published from now on. */
  readonly ready: Promise<void>;
  private readonly queue: StatusChange[] = [];
  private waiting: ((result: IteratorResult<StatusChange>) => void) | undefined;
  private closed = false;
  private readonly listener = (event: CustomEvent) => this.push(event.detail as StatusChange);

  constructor(
    private readonly transport: StatusEventTransport,
    private readonly topic: string,
    private readonly onClose: (subscription: StatusSubscription) => void,
  ) {
    transport.target.addEventListener(topic, this.listener);
    this.ready = transport.settled();
  }

  next(): Promise<IteratorResult<StatusChange>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve({ done: false, value: queued });
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async return(): Promise<IteratorResult<StatusChange>> {
    if (!this.closed) {
      this.closed = true;
      this.transport.target.removeEventListener(this.topic, this.listener);
      this.queue.length = 0;
      this.waiting?.({ done: true, value: undefined });
      this.waiting = undefined;
      this.onClose(this);
    }
    return { done: true, value: undefined };
  }

  private push(change: StatusChange): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ done: false, value: change });
    } else if (this.queue.length < MAX_QUEUED) {
      this.queue.push(change);
    }
  }
}

export class StatusBus {
  private readonly open = new Set<StatusSubscription>();

  constructor(
    private readonly transport: StatusEventTransport,
    /** Namespaces the topics, so that several deployments can share one Redis. */
    private readonly prefix = '',
  ) {}

  /** Subscriptions currently listening. */
  get size(): number {
    return this.open.size;
  }

  publish(change: StatusChange): void {
    this.transport.target.dispatchEvent(new CustomEvent(this.topic(change.videoNo), { detail: change }));
  }

  subscribe(videoNo: string): StatusSubscription {
    const subscription = new StatusSubscription(this.transport, this.topic(videoNo), (closed) =>
      this.open.delete(closed),
    );
    this.open.add(subscription);
    return subscription;
  }

  /** Ends every open subscription (shutdown): their readers see the end, subscribers get "complete". */
  async endAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.return()));
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private topic(videoNo: string): string {
    return `${this.prefix}videoStatus:${videoNo}`;
  }
}
