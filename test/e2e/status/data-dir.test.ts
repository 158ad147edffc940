/**
 * DATA_DIR as a disk sees it: one gateway per folder, held by a lock the kernel
 * keeps for the process (not a process id: two containers are both PID 1); a full
 * disk that fails writes with STORE_UNAVAILABLE and readiness, not the process; a
 * database removed under a running gateway that stops acknowledging.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { openSqliteKeyValueStore } from '../../../src/kv/sqlite-key-value-store.js';
import { createLogger } from '../../../src/logger.js';
import { createGateway } from '../../../src/server/gateway.js';
import { lockDataDir } from '../../../src/sqlite/data-dir-lock.js';
import { ChatDocument } from '../../generated/operations.js';
import { startGatewayProcess, type GatewayProcess } from '../../utils/gateway-process.js';
import { canMountTmpfs } from '../../utils/mounts.js';
import { subscribeSse } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { asAlice, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const folders: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'data-dir-test-'));
  folders.push(dir);
  return dir;
};
const running: GatewayProcess[] = [];
afterEach(() => {
  for (const gateway of running.splice(0)) gateway.proc.kill('SIGKILL');
});
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** Whether this machine lets a test make PID namespaces (root on Linux does). */
const canUnshare = spawnSync('unshare', ['--pid', '--fork', '--kill-child', 'true']).status === 0;
const canMount = canMountTmpfs('test/e2e/status/data-dir.test.ts');

// Without root this cannot run: said, and refused under CI (which runs as root here), so that it never passes unseen.
if (!canUnshare) {
  if (process.env.CI)
    throw new Error(
      'test/e2e/status/data-dir.test.ts: this machine gives no PID namespaces, and CI must run these tests',
    );
  console.warn('skipping part of test/e2e/status/data-dir.test.ts: no PID namespaces here (they need root)');
}

describe('one gateway per DATA_DIR', () => {
  it('a second lock in the same process is refused, and the folder is free again once released', () => {
    const dir = freshDir();
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(`DATA_DIR ${dir} is in use by another gateway`);
    release();
    lockDataDir(dir)();
  });

  it('a lock file left by an older gateway (its process id) or by any process does not stop a start', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'gateway.lock'), '1'); // "PID 1", as a container's gateway wrote it
    lockDataDir(dir)();
    writeFileSync(join(dir, 'gateway.lock'), String(process.pid)); // even this process's own id
    lockDataDir(dir)();
  });

  it('a second gateway on the folder refuses to start, naming it', async () => {
    const dir = freshDir();
    const config = loadConfig({ PORT: '0', DATA_DIR: dir, MAVI_API_KEY: 'k'.repeat(20), GATEWAY_OPEN: 'on' });
    const first = createGateway(config, { logger: silent() });
    await first.start();
    try {
      expect(() => createGateway(config, { logger: silent() })).toThrow(`DATA_DIR ${dir} is in use by another gateway`);
    } finally {
      await first.stop();
    }
    const again = createGateway(config, { logger: silent() }); // released by the stop
    await again.start();
    await again.stop();
  });

  it.skipIf(!canUnshare)(
    'two gateways that are both PID 1 (separate PID namespaces) on one folder: the second refuses; after kill -9 of the first a third starts',
    async () => {
      const dir = freshDir();
      const asPid1 = ['unshare', '--pid', '--fork', '--kill-child'];
      const a = startGatewayProcess({ DATA_DIR: dir }, 'source', asPid1);
      running.push(a);
      await a.url;

      const b = startGatewayProcess({ DATA_DIR: dir }, 'source', asPid1);
      running.push(b);
      const code = await new Promise<number | null>((resolve) => b.proc.once('exit', resolve));
      expect(code).not.toBe(0);
      expect(b.output.join('')).toContain(`DATA_DIR ${dir} is in use by another gateway`);

      // kill -9: the kernel drops the lock with the process; the lock file stays, and does not matter.
      const exited = new Promise((resolve) => a.proc.once('exit', resolve));
      a.proc.kill('SIGKILL');
      await exited;
      expect(readdirSync(dir)).toContain('gateway.lock');
      await waitUntil(
        async () => {
          const c = startGatewayProcess({ DATA_DIR: dir }, 'source', asPid1);
          running.push(c);
          return c.url.then(
            () => true,
            () => false,
          );
        },
        'a new gateway starts',
        60_000,
      );
    },
  );
});

function silent() {
  return createLogger({ level: 'error', write: () => undefined });
}

describe('a database removed under a running gateway', () => {
  let stack: Stack;
  afterEach(async () => {
    await stack?.stop();
  });

  it('stops acknowledging: callbacks 503, uploads and chats STORE_UNAVAILABLE, /ready 503', async () => {
    const dir = freshDir();
    stack = await startStack({ simulator: { manualCallbacks: true }, env: { ...TWO_CLIENT_KEYS, DATA_DIR: dir } });
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    const callbackUri = stack.simulator.videos.get(videoNo)!.callbackUri!;
    expect((await fetch(`${stack.url}/ready`)).status).toBe(200);

    for (const name of readdirSync(dir))
      if (name.startsWith('gateway.sqlite') || name.startsWith('records.sqlite')) rmSync(join(dir, name));

    const callback = await stack.simulator.sendCallback(videoNo, 'PARSE', callbackUri);
    expect(callback.httpStatus).toBe(503);
    const upload = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)), headers: asAlice });
    expect(upload.json.errors[0].extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
    expect((await fetch(`${stack.url}/ready`)).status).toBe(503);
    expect(stack.logs.join('\n')).toContain('was removed or replaced while the gateway ran');
  });
});

describe.skipIf(!canMount)('a full disk under DATA_DIR (a small tmpfs of its own)', () => {
  let mountPoint: string;
  let stack: Stack | undefined;
  const fill = () => {
    const { bavail, bsize } = statfsSync(mountPoint);
    writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(Number(bavail) * Number(bsize)));
  };
  const free = () => rmSync(join(mountPoint, 'filler'), { force: true });
  afterEach(async () => {
    await stack?.stop().catch(() => undefined);
    stack = undefined;
    spawnSync('umount', [mountPoint]);
  });
  const mountTmpfs = () => {
    mountPoint = freshDir();
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint]).status).toBe(0);
  };

  it("the records store's expiry sweep fails without ending the process, reports unhealthy, and recovers", async () => {
    mountTmpfs();
    let now = Date.now();
    const before = openSqliteKeyValueStore(mountPoint, 'full', () => now);
    for (let index = 0; index < 2_000; index += 1) void before.set(`chat:${index}`, 'x'.repeat(200), 1_000);
    await before.close?.(); // its write-ahead log is folded in and removed: the next writes must grow it
    const records = openSqliteKeyValueStore(mountPoint, 'full', () => now, { sweepIntervalMs: 50 });
    try {
      fill();
      now += 2_000; // every record has expired: the next sweep deletes them, which needs room on disk
      await waitUntil(() => !records.isHealthy(), 'the failed sweep reported');
      await expect(records.set('chat:new', 'y', 60_000)).rejects.toMatchObject({ name: 'StoreUnavailableError' });
      free();
      await waitUntil(() => records.isHealthy(), 'healthy again once there is room', 30_000);
      await records.set('chat:new', 'y', 60_000);
      expect(await records.get('chat:new')).toBe('y');
    } finally {
      free();
      await records.close?.();
    }
  });

  it('writes are STORE_UNAVAILABLE (uploads, chats), /ready is 503 while commits fail, and 200 again after', async () => {
    mountTmpfs();
    const dir = join(mountPoint, 'data');
    mkdirSync(dir);
    stack = await startStack({
      simulator: { manualCallbacks: true },
      env: { ...TWO_CLIENT_KEYS, DATA_DIR: dir, RATE_LIMIT_CHAT_PER_MINUTE: '1000' },
    });
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    await stack.simulator.setStatus(videoNo, 'PARSE', { notify: true });
    await waitUntil(async () => (await stack!.gateway.parts.status.get(videoNo))?.status === 'PARSE', 'PARSE stored');
    fill();

    const upload = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)), headers: asAlice });
    expect(upload.json.errors[0].extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
    // A chat's session is written when its answer ends: that write fails as the store's, not as a bug.
    const chat = subscribeSse(
      stack.graphqlUrl,
      ChatDocument,
      { videoNos: [videoNo], message: 'Hi', sessionId: null },
      asAlice,
    );
    await chat.collected.ended();
    expect(chat.collected.events.at(-1)!.errors![0]!.extensions).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await waitUntil(async () => (await fetch(`${stack!.url}/ready`)).status === 503, '/ready turns 503');

    free();
    await waitUntil(async () => (await fetch(`${stack!.url}/ready`)).status === 200, '/ready back to 200', 30_000);
    const again = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)), headers: asAlice });
    expect(again.json.data.uploadVideo.status).toBe('UNPARSE');
  });
});
