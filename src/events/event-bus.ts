/**
 * An event bus with one topic per key (a video, for status changes), carried by
 * an event transport: in memory for one instance, Redis pub/sub for several.
 *
 * Why not Yoga's createPubSub: its subscriptions are lazy Repeaters that start
 * listening only when first read, and on Redis a SUBSCRIBE takes a round trip. A
 * subscriber that must not miss what happens between its subscribing and its
 * reading the current state (`videoStatus`) has to be listening *before* it
 * reads. Here `subscribe` listens at once and queues, and `ready` resolves once
 * the transport delivers to the new listener.
 */
import { setMaxListeners } from 'node:events';

/** The part of EventTarget the bus uses; @graphql-yoga/redis-event-target provides the same. */
export interface EventTargetLike {
  addEventListener(type: string, listener: (event: CustomEvent) => void): void;
  removeEventListener(type: string, listener: (event: CustomEvent) => void): void;
  dispatchEvent(event: CustomEvent): boolean;
}

export interface EventTransport {
  readonly target: EventTargetLike;
  /** Resolves once every listener added so far receives events published from now on. */
  settled(): Promise<void>;
}

export function memoryTransport(target: EventTargetLike = unboundedEventTarget()): EventTransport {
  return { target, settled: async () => undefined };
}

/** Many subscribers to one topic are normal: no MaxListenersExceededWarning at 11 of them. */
function unboundedEventTarget(): EventTargetLike {
  const target = new EventTarget();
  setMaxListeners(0, target);
  return target as EventTargetLike;
}

/** Events one subscriber may have waiting; a video has three statuses, so this is never reached in practice. */
const MAX_QUEUED = 64;

/** One listener on one topic, read as an async iterator. `return()` stops listening at once. */
export class Subscription<Event> {
  /** Resolves once this subscription receives every event published from now on. */
  readonly ready: Promise<void>;
  private readonly queue: Event[] = [];
  private waiting: ((result: IteratorResult<Event>) => void) | undefined;
  private closed = false;
  private readonly listener = (event: CustomEvent) => this.push(event.detail as Event);

  constructor(
    private readonly transport: EventTransport,
    private readonly topic: string,
    private readonly onClose: (subscription: Subscription<Event>) => void,
  ) {
    transport.target.addEventListener(topic, this.listener);
    this.ready = transport.settled();
  }

  next(): Promise<IteratorResult<Event>> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve({ done: false, value: queued });
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async return(): Promise<IteratorResult<Event>> {
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

  private push(event: Event): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ done: false, value: event });
    } else if (this.queue.length < MAX_QUEUED) {
      this.queue.push(event);
    }
  }
}

export class EventBus<Event> {
  private readonly open = new Set<Subscription<Event>>();

  constructor(
    private readonly transport: EventTransport,
    /** Prefixes every topic: the event kind, and the deployment's namespace on a shared Redis. */
    private readonly topicPrefix: string,
    /** Told of each event published (the metrics count them). */
    private readonly onPublish: () => void = () => undefined,
  ) {}

  /** Subscriptions currently listening. */
  get size(): number {
    return this.open.size;
  }

  publish(key: string, event: Event): void {
    this.onPublish();
    this.transport.target.dispatchEvent(new CustomEvent(this.topicPrefix + key, { detail: event }));
  }

  subscribe(key: string): Subscription<Event> {
    const subscription = new Subscription<Event>(this.transport, this.topicPrefix + key, (closed) =>
      this.open.delete(closed),
    );
    this.open.add(subscription);
    return subscription;
  }

  /** Ends every open subscription (shutdown): their readers see the end. */
  async endAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.return()));
  }
}
