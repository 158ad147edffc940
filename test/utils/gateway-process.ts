/** Runs the gateway as its own process, the way `npm start` does, and finds the URL it listens on. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testFamily } from './family.js';

export interface GatewayProcess {
  proc: ChildProcess;
  /** Everything it printed, stdout and stderr. */
  output: string[];
  /** Resolves with its base URL once it listens; rejects if it exits first. */
  url: Promise<string>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `src/index.ts`; its SQLite store goes to a fresh temporary DATA_DIR unless `env` names one. */
export function startGatewayProcess(env: Record<string, string>): GatewayProcess {
  const output: string[] = [];
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'gateway-data-'));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { PATH: process.env.PATH, PORT: '0', DATA_DIR: dataDir, MAVI_API: testFamily(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in:\n${output.join('')}`)), 20_000);
    const check = () => {
      const match = /"message":"gateway listening","url":"(http:\/\/[^"]+)"/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
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
