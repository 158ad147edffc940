/**
 * A child's inspector (started with --inspect=127.0.0.1:0), spoken to over its websocket with the
 * Chrome DevTools Protocol: what the benchmarks ask of a process from outside (a full garbage
 * collection, its heap, a CPU profile of one phase).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

export interface Inspector {
  /** Sends one command; resolves with its result. */
  call(method: string, params?: object): Promise<any>;
  close(): void;
}

export async function openInspector(url: string): Promise<Inspector> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let lastId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as { id?: number; result?: unknown };
    if (message.id === undefined) return;
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  return {
    call: (method, params = {}) =>
      new Promise((resolve) => {
        lastId += 1;
        pending.set(lastId, resolve);
        socket.send(JSON.stringify({ id: lastId, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** The inspector's websocket URL, from the child's "Debugger listening on ws://…" line, if printed. */
export function inspectorUrlOf(output: string[]): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(output.join(''))?.[1];
}

/** The same, waiting a few seconds for the line. */
export async function inspectorOf(output: string[]): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const found = inspectorUrlOf(output);
    if (found) return found;
    await sleep(100);
  }
  throw new Error(`the child's inspector did not start:\n${output.join('')}`);
}
