import { memoryTransport, type EventTargetLike, type EventTransport } from '../../src/events/event-bus.js';

/**
 * An in-memory event target, as the gateway uses by default, that also keeps a
 * list of every event dispatched on it: tests read "no event was sent" from it.
 */
export class RecordingEventTarget extends EventTarget {
  readonly dispatched: { type: string; detail: unknown }[] = [];

  override dispatchEvent(event: Event): boolean {
    this.dispatched.push({ type: event.type, detail: (event as CustomEvent).detail });
    return super.dispatchEvent(event);
  }

  asTransport(): EventTransport {
    return memoryTransport(this as unknown as EventTargetLike);
  }
}
