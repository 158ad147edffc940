/**
 * Redis for the scale-out tests: the machine's Redis at 127.0.0.1:6379 (CI makes
 * sure it runs). Each test uses its own key prefix, so files can run in parallel.
 * Without Redis the tests are skipped with a message, except under CI, where
 * they must run.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisIsUp(url = REDIS_URL): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Resolves whether the Redis tests can run; says why not, and fails under CI. */
export async function requireRedis(file: string): Promise<boolean> {
  const up = await redisIsUp();
  if (!up) {
    const why = `Redis is not reachable at ${REDIS_URL}`;
    if (process.env.CI) throw new Error(`${file}: ${why}, and CI must run the Redis tests`);
    console.warn(`skipping ${file}: ${why} (start it: redis-server --daemonize yes --port 6379 --save "")`);
  }
  return up;
}

export function uniquePrefix(): string {
  return `test-${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under the prefix. */
export async function dropPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const client = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** A Redis of a test's own (on a free port, nothing saved), for tests that take it away. */
export async function startPrivateRedis(): Promise<{
  url: string;
  stop(): void;
  /** Stops the process (SIGSTOP): connected, but answering nothing, as a Redis that stalls. */
  pause(): void;
  resume(): void;
}> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100 && !(await redisIsUp(url)); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    stop: () => child.kill('SIGKILL'),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}
