/**
 * Frames sent to one websocket within one event-loop turn leave in one write
 * (one syscall) instead of one each: the socket is corked at the first frame and
 * uncorked when the turn ends.
 *
 * graphql-ws waits for each frame's send callback before it sends the next one,
 * and ws calls back only once the frame reached the kernel, so a status that ends
 * a subscription ("next", then "complete") would still cost two writes in two
 * turns. While the socket's buffer is small, the callback is therefore called
 * as soon as the frame is queued; past the high-water mark it waits for the
 * write as before, so a slow reader still holds the sender back.
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

/** Wraps a websocket's `send` so that frames sent in the same turn are written together. */
export function coalesceWrites(socket: Socket, send: Send): Send {
  return (data, callback) => {
    if (!corked.has(socket) && !socket.destroyed) {
      if (corked.size === 0) setImmediate(flush);
      corked.add(socket);
      socket.cork();
    }
    if (callback === undefined || socket.writableLength >= HIGH_WATER_BYTES) return send(data, callback);
    send(data);
    queueMicrotask(() => callback());
  };
}
