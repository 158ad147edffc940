/** Child processes for the benchmarks: each side (gateway, simulator, peer) runs in its own process. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/utils/free-port.js';

export interface Child {
  proc: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

const root = new URL('../..', import.meta.url).pathname;

/**
 * A bench process's TypeScript, compiled to one ES module (its packages left as imports) with
 * esbuild's defaults: not through tsx, whose keepNames gives every function made at run time a
 * `name` property of its own (256 bytes a closure, and a defineProperty each time one is made),
 * which no build of a server has. Written under node_modules/.cache, so its imports resolve.
 */
function compiled(entry: string): string {
  const outfile = join(root, 'node_modules/.cache/mavi-bench', entry.replace(/\.ts$/, '.mjs'));
  buildSync({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * Starts an entry point and waits until its output matches `ready`; returns the match. A
 * TypeScript entry is compiled first (`compiled`); a built one (`.js`) runs as it is.
 */
export async function startChild(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
  nodeArgs: string[] = [],
): Promise<{ child: Child; match: RegExpExecArray }> {
  const output: string[] = [];
  const proc = spawn(process.execPath, [...nodeArgs, entry.endsWith('.ts') ? compiled(entry) : entry], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${output.join('')}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 200) output.splice(0, output.length - 200);
      const found = ready.exec(output.join(''));
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${entry} exited (${code}):\n${output.join('')}`)));
  });
  proc.stdout!.removeAllListeners('data');
  proc.stderr!.removeAllListeners('data');
  proc.stdout!.resume();
  proc.stderr!.resume();
  const child: Child = {
    proc,
    output,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return { child, match };
}

export interface SimulatorChild {
  child: Child;
  url: string;
  apiKey: string;
}

export async function startSimulator(): Promise<SimulatorChild> {
  const { child, match } = await startChild('bench/processes/simulator.ts', {}, /SIMULATOR (\S+) (\S+)/);
  return { child, url: match[1]!, apiKey: match[2]! };
}

/** The fair floor of subscriptions (processes/fan-out-floor.ts): its URL. */
export async function startFanOutFloor(
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ child: Child; url: string }> {
  const { child, match } = await startChild('bench/processes/fan-out-floor.ts', env, /FAN_OUT_FLOOR (\S+)/, nodeArgs);
  return { child, url: match[1]! };
}

export interface GatewayChild {
  child: Child;
  url: string;
}

/**
 * The gateway's build (`dist/`, as `npm start` makes and runs it), made once per benchmark
 * process: not the sources through tsx (see `compiled`).
 */
let built = false;
function buildGateway(): void {
  if (built) return;
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  built = true;
}

/** The gateway exactly as `npm start` runs it, on a port chosen first so PUBLIC_URL can name it. */
export async function startGateway(
  env: Record<string, string>,
  // BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles every gateway a run starts.
  nodeArgs: string[] = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
): Promise<GatewayChild> {
  buildGateway();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Each gateway its own DATA_DIR (the default store is SQLite): no run inherits another's records.
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-gateway-'));
  const { child } = await startChild(
    'dist/index.js',
    {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
      STATUS_POLL_INTERVAL_MS: '600000',
      // One anonymous client plays every user (an open gateway, asked for), and its quotas must not be
      // what a benchmark measures.
      ...(env.GATEWAY_API_KEYS === undefined && env.AUTH_ISSUER === undefined ? { GATEWAY_OPEN: 'on' } : {}),
      OPERATIONS_PER_MINUTE: '1000000',
      UPLOADS_PER_HOUR: '1000000',
      WS_MAX_SOCKETS_PER_CLIENT: '1000000',
      SSE_MAX_STREAMS_PER_CLIENT: '1000000',
      WEBHOOK_FAILURES_PER_MINUTE: '1000000',
      ...env,
    },
    /"message":"gateway listening"/,
    nodeArgs,
  );
  const stop = child.stop;
  child.stop = async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { child, url };
}

/** A gateway in front of a simulator child, as every benchmark starts one: `env` adds to it. */
export function startGatewayOn(
  simulator: SimulatorChild,
  env: Record<string, string> = {},
  nodeArgs?: string[],
): Promise<GatewayChild> {
  return startGateway(
    {
      MAVI_API_KEY: simulator.apiKey,
      MAVI_BASE_URL: simulator.url,
      MAX_CONCURRENT_UPLOADS_PER_KEY: '64',
      ...env,
    },
    nodeArgs,
  );
}
