/**
 * Frames sent to one websocket within one event-loop turn leave in one write
 * (one syscall) instead of one each: the socket is corked at the first frame and
 * uncorked when the turn ends.
 *
 * graphql-ws waits for each frame's send before it sends the next one, and ws
 * calls back only once the frame reached the kernel, so a status that ends a
 * subscription ("next", then "complete") would still cost two writes in two
 * turns. While the socket's buffer is small, a send is therefore done as soon as
 * the frame is queued (it returns nothing to wait for); past the high-water mark
 * it returns the write's promise, so a slow reader still holds the sender back.
 */
import type { Socket } from 'node:net';

/** Beyond this many buffered bytes a sender waits for the socket again. */
const HIGH_WATER_BYTES = 64 * 1024;

const corked = new Set<Socket>();

function flush(): void {
  for (const socket of corked) if (!socket.destroyed) socket.uncork();
  corked.clear();
}

type Send = (data: string, callback?: (error?: Error) => void) => void;

/**
 * Wraps a websocket's `send` so that frames sent in the same turn are written
 * together. The result is undefined when the frame is queued and the sender may
 * go on, or a promise of the write when the socket's buffer is past the mark.
 */
export function coalesceWrites(socket: Socket, send: Send): (data: string) => Promise<void> | undefined {
  return (data) => {
    if (!corked.has(socket) && !socket.destroyed) {
      if (corked.size === 0) setImmediate(flush);
      corked.add(socket);
      socket.cork();
    }
    if (socket.writableLength < HIGH_WATER_BYTES) {
      send(data);
      return undefined;
    }
    return new Promise((resolve, reject) => send(data, (error) => (error ? reject(error) : resolve())));
  };
}
