/**
 * A CPU profile of one phase of a benchmark, taken through a child's inspector (started with
 * --inspect=127.0.0.1:0): only the phase is sampled, not the child's start or the setup.
 * BENCH_PROFILE_DIR=/tmp/prof turns it on where a benchmark offers it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

export const profileDir = process.env.BENCH_PROFILE_DIR;

/** The node arguments a child needs for `profilePhase`: an inspector when profiling is on. */
export const profilingArgs = (): string[] => (profileDir ? ['--inspect=127.0.0.1:0'] : []);

/** The inspector's websocket URL, from the child's "Debugger listening on ws://…" line. */
export function inspectorUrlOf(output: string[]): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(output.join(''))?.[1];
}

/** Starts sampling; the returned function stops and writes `<name>.cpuprofile` under BENCH_PROFILE_DIR. */
export async function profilePhase(inspectorUrl: string | undefined, name: string): Promise<() => Promise<void>> {
  if (!profileDir || !inspectorUrl) return async () => {};
  const socket = new WebSocket(inspectorUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let next = 0;
  const call = (method: string, params: object = {}) => {
    const id = (next += 1);
    socket.send(JSON.stringify({ id, method, params }));
    return new Promise<any>((resolve) => {
      const onMessage = (raw: WebSocket.RawData) => {
        const message = JSON.parse(raw.toString()) as { id?: number; result?: unknown };
        if (message.id !== id) return;
        socket.off('message', onMessage);
        resolve(message.result);
      };
      socket.on('message', onMessage);
    });
  };
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 200 });
  await call('Profiler.start');
  return async () => {
    const { profile } = await call('Profiler.stop');
    writeFileSync(join(profileDir!, `${name}.cpuprofile`), JSON.stringify(profile));
    socket.close();
  };
}
