/**
 * The shared-subscription groups (src/server/shared-subscriptions.ts), without a
 * socket: subscribers of one key share one source, each event is serialised
 * once for the group, a late joiner's own stream is closed unread and it gets
 * the latest event first, and the last subscriber out closes the source.
 */
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { SharedSubscriptions, SocketSubscriber, type SendFrame } from '../../src/server/shared-subscriptions.js';

/** An async iterable the test pushes into; it records whether it was closed. */
class Source implements AsyncIterableIterator<ExecutionResult> {
  closed = false;
  private readonly queued: ExecutionResult[] = [];
  private waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
  private ended = false;

  push(value: ExecutionResult): void {
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = undefined;
      wake({ done: false, value });
    } else this.queued.push(value);
  }

  end(): void {
    this.ended = true;
    this.waiting?.({ done: true, value: undefined });
    this.waiting = undefined;
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const value = this.queued.shift();
    if (value !== undefined) return Promise.resolve({ done: false, value });
    if (this.ended || this.closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.closed = true;
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** A subscriber's socket: the frames written to it, and a wait for the next one. */
class Socket {
  readonly frames: string[] = [];
  private wanted: { count: number; resolve: () => void } | undefined;

  readonly send = (frame: string) => {
    this.frames.push(frame);
    if (this.wanted && this.frames.length >= this.wanted.count) this.wanted.resolve();
  };

  /** Resolves once `count` frames have been written. */
  received(count: number): Promise<void> {
    if (this.frames.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      this.wanted = { count, resolve };
    });
  }
}

function groups() {
  let serialised = 0;
  const delivered: number[] = [];
  const shared = new SharedSubscriptions({
    serialise: (result) => {
      serialised += 1;
      return JSON.stringify(result);
    },
    delivered: (count) => delivered.push(count),
    logger: createLogger({ level: 'error', write: () => undefined }),
  });
  return { shared, delivered, serialised: () => serialised };
}

/** A websocket subscriber joining as server/websocket.ts joins one: its iterator is what graphql-ws follows. */
function join(shared: SharedSubscriptions, key: string, source: Source, id: string, send: SendFrame) {
  const subscriber = new SocketSubscriber(id, send);
  subscriber.group = shared.join(key, source, subscriber);
  return subscriber;
}

const event = (status: string): ExecutionResult => ({ data: { videoStatus: { status } } });

describe('shared subscription groups', () => {
  it('serialises each event once for every subscriber of a key, each frame under its own id', async () => {
    const { shared, delivered, serialised } = groups();
    const first = new Source();
    const [a, b] = [new Socket(), new Socket()];
    join(shared, 'key', first, 'a', a.send);
    join(shared, 'key', new Source(), 'b', b.send);
    first.push(event('PARSE'));
    await Promise.all([a.received(1), b.received(1)]);
    expect(serialised()).toBe(1);
    expect(delivered).toEqual([2]);
    expect(JSON.parse(a.frames[0]!)).toEqual({ id: 'a', type: 'next', payload: event('PARSE') });
    expect(JSON.parse(b.frames[0]!)).toEqual({ id: 'b', type: 'next', payload: event('PARSE') });
  });

  it("closes a joiner's own stream unread and replays the group's latest event to it first", async () => {
    const { shared } = groups();
    const source = new Source();
    const early = new Socket();
    join(shared, 'key', source, 'early', early.send);
    source.push(event('UNPARSE'));
    await early.received(1);
    const own = new Source();
    const late = new Socket();
    join(shared, 'key', own, 'late', late.send);
    expect(own.closed).toBe(true);
    expect(JSON.parse(late.frames[0]!)).toMatchObject({ id: 'late', payload: event('UNPARSE') });
  });

  it('keeps different keys apart', async () => {
    const { shared } = groups();
    const [one, two] = [new Source(), new Source()];
    const [a, b] = [new Socket(), new Socket()];
    join(shared, 'one', one, 'a', a.send);
    join(shared, 'two', two, 'b', b.send);
    expect(two.closed).toBe(false);
    two.push(event('PARSE'));
    await b.received(1);
    expect(a.frames).toEqual([]);
  });

  it('closes the source when the last subscriber leaves, and a new subscriber then starts a new group', async () => {
    const { shared } = groups();
    const source = new Source();
    const first = join(shared, 'key', source, 'a', new Socket().send);
    const second = join(shared, 'key', new Source(), 'b', new Socket().send);
    await first.return();
    expect(source.closed).toBe(false);
    await second.return();
    expect(source.closed).toBe(true);
    const fresh = new Source();
    const socket = new Socket();
    join(shared, 'key', fresh, 'c', socket.send);
    expect(fresh.closed).toBe(false);
    fresh.push(event('PARSE'));
    await socket.received(1);
  });

  it("ends every subscriber when the group's source ends", async () => {
    const { shared } = groups();
    const source = new Source();
    const a = join(shared, 'key', source, 'a', new Socket().send);
    const b = join(shared, 'key', new Source(), 'b', new Socket().send);
    const ends = Promise.all([a.next(), b.next()]);
    source.end();
    expect(await ends).toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });
});
