/** Runs the gateway as its own process, the way `npm start` does, and finds the URL it listens on. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testFamily } from './family.js';
import { freePort } from './free-port.js';
import { guarded, TEST_MAVI_KEY, TEST_WEBHOOK_SECRET } from './stack.js';

export interface GatewayProcess {
  proc: ChildProcess;
  /** Everything it printed, stdout and stderr. */
  output: string[];
  /** Resolves with its base URL once it listens; rejects if it exits first. */
  url: Promise<string>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** What runs: the sources through tsx (as `npm run dev`), or the build (`node dist/index.js`, production). */
export type Entry = 'source' | 'dist';

/** A gateway that can be killed and started again as itself: its own data folder, and a fixed port. */
export interface RestartableDeployment {
  dataDir: string;
  port: number;
  env: Record<string, string>;
}

/**
 * The settings of a gateway process that survives restarts: a DATA_DIR of its own (named
 * `dataDirPrefix`…, the caller removes it) and a fixed port that PUBLIC_URL names, so MAVI's
 * callbacks reach it before and after a restart. It talks to the MAVI at `maviBaseUrl`.
 */
export async function restartableDeployment(
  maviBaseUrl: string,
  dataDirPrefix: string,
  env: Record<string, string> = {},
): Promise<RestartableDeployment> {
  const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  const port = await freePort();
  return {
    dataDir,
    port,
    env: {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      MAVI_API_KEY: TEST_MAVI_KEY,
      MAVI_BASE_URL: maviBaseUrl,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      ...env,
    },
  };
}

/** Starts the gateway; its SQLite store goes to a fresh temporary DATA_DIR unless `env` names one. */
export function startGatewayProcess(
  env: Record<string, string>,
  entry: Entry = 'source',
  /** A command the gateway runs under (e.g. `unshare --pid --fork`), its arguments before the gateway's own. */
  wrapper: readonly string[] = [],
): GatewayProcess {
  const output: string[] = [];
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'gateway-data-'));
  const args = entry === 'dist' ? ['dist/index.js'] : ['--import', 'tsx', 'src/index.ts'];
  const [command, ...commandArgs] = [...wrapper, process.execPath, ...args];
  const proc = spawn(command!, commandArgs, {
    cwd: new URL('../..', import.meta.url).pathname,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      DATA_DIR: dataDir,
      MAVI_API: testFamily(),
      // Most tests call without credentials; a real MAVI key behind an open gateway must be asked for.
      ...(guarded(env) ? {} : { GATEWAY_OPEN: 'on' }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in:\n${output.join('')}`)), 20_000);
    const check = () => {
      const url = logLines(output).find((line) => line.message === 'gateway listening')?.url;
      if (typeof url === 'string') {
        clearTimeout(timer);
        resolve(url);
      }
    };
    const collect = (chunk: Buffer) => {
      output.push(chunk.toString());
      check();
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    proc.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited early:\n${output.join('')}`));
    });
  });
  url.catch(() => undefined); // a test that expects an early exit does not await it
  return {
    proc,
    output,
    url,
    stop: async () => {
      if (proc.exitCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** Kills the gateway as a crash does (SIGKILL: nothing runs on its way out); resolves once it is gone. */
export async function killHard(gateway: GatewayProcess): Promise<void> {
  if (gateway.proc.exitCode !== null || gateway.proc.signalCode !== null) return;
  const exited = new Promise((resolve) => gateway.proc.once('exit', resolve));
  gateway.proc.kill('SIGKILL');
  await exited;
}

/** The JSON log lines among what a process printed (the banner and other text are skipped). */
export function logLines(output: readonly string[]): Record<string, unknown>[] {
  return output
    .join('')
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
