/** Websocket write coalescing, on a real TCP socket pair. */
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../../src/server/coalesce-writes.js';

let server: ReturnType<typeof createServer>;
let sender: Socket;
let receiver: Socket;
beforeAll(async () => {
  server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  sender = connect((server.address() as { port: number }).port, '127.0.0.1');
  await once(sender, 'connect');
  [receiver] = (await accepted) as [Socket];
});
afterAll(() => {
  sender.destroy();
  receiver.destroy();
  server.close();
});

/** A `send` like ws's: writes the frame, calls back once the write is done. */
const rawSend = (data: string, callback?: (error?: Error) => void) => {
  sender.write(data, (error) => callback?.(error ?? undefined));
};

describe('coalesceWrites', () => {
  it('frames sent in one turn leave together, after the turn, and each sender is released at once', async () => {
    const send = coalesceWrites(sender, rawSend);
    // Each sender may go on at once: nothing to wait for.
    expect(send('next;')).toBeUndefined();
    expect(send('complete;')).toBeUndefined();
    expect(sender.writableLength).toBe('next;complete;'.length); // held back while the turn runs

    let received = '';
    receiver.on('data', (chunk: Buffer) => (received += chunk.toString()));
    while (received.length < 'next;complete;'.length) await new Promise((resolve) => setImmediate(resolve));
    expect(received).toBe('next;complete;');
    receiver.removeAllListeners('data');
  });

  it('past the high-water mark a sender waits for the write, so a slow reader still holds it back', async () => {
    const send = coalesceWrites(sender, rawSend);
    receiver.pause(); // nobody reads: the kernel buffers fill, then Node's
    const big = 'x'.repeat(8 * 1024 * 1024);
    expect(send(big)).toBeUndefined();
    let released = false;
    const waiting = send('after;');
    expect(waiting).toBeInstanceOf(Promise);
    void waiting!.then(() => {
      released = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sender.writableLength).toBeGreaterThan(64 * 1024);
    expect(released).toBe(false);
    receiver.resume();
    receiver.on('data', () => undefined);
    while (!released) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(released).toBe(true);
  });
});
