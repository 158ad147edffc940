/**
 * The default store (SQLite under DATA_DIR) keeps what the gateway answered and
 * announced across `kill -9` and a restart. Each test runs the gateway as its own
 * process, exactly as `npm start` does, kills it with SIGKILL, and starts it
 * again on the same DATA_DIR and port, with the test simulator as MAVI.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VideoDocument, VideoStatusDocument } from '../../generated/operations.js';
import {
  killHard,
  restartableDeployment,
  startGatewayProcess,
  type GatewayProcess,
  type RestartableDeployment,
} from '../../utils/gateway-process.js';
import { postGraphQL, subscribeSse } from '../../utils/graphql-clients.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { canMountTmpfs } from '../../utils/mounts.js';
import { TEST_MAVI_KEY } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { waitUntil } from '../../utils/wait.js';

let simulator: TestSimulator;
const running: GatewayProcess[] = [];
const dataDirs: string[] = [];

beforeAll(async () => {
  simulator = new TestSimulator({ apiKey: TEST_MAVI_KEY, manualCallbacks: true });
  await simulator.start();
});
afterEach(() => {
  for (const gateway of running.splice(0)) gateway.proc.kill('SIGKILL');
});
afterAll(async () => {
  await simulator.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function deployment(env: Record<string, string> = {}): Promise<RestartableDeployment> {
  const where = await restartableDeployment(simulator.url, 'durability-', env);
  dataDirs.push(where.dataDir);
  return where;
}

async function start(where: RestartableDeployment): Promise<string> {
  const gateway = startGatewayProcess(where.env);
  running.push(gateway);
  return gateway.url;
}

const kill9 = () => killHard(running.pop()!);

const statusOf = async (url: string, videoNo: string) =>
  (await postGraphQL(`${url}/graphql`, VideoDocument, { videoNo })).body.data?.video?.status;

describe('after kill -9 and a restart', () => {
  it('an answered upload is still known: a later PARSE callback applies, and a subscriber sees it', async () => {
    const where = await deployment();
    let url = await start(where);
    const uploaded = await uploadVideo(`${url}/graphql`, { content: await collect(videoFile(4096)) });
    const videoNo: string = uploaded.json.data.uploadVideo.videoNo;
    await kill9();

    url = await start(where);
    const { collected } = subscribeSse(`${url}/graphql`, VideoStatusDocument, { videoNo });
    await collected.waitForEvents(1);
    expect((await simulator.sendCallback(videoNo, 'PARSE')).httpStatus).toBe(200);
    await collected.ended();
    expect(collected.completed).toBe(true);
    expect(collected.events.map((event) => event.data?.videoStatus.status)).toEqual(['UNPARSE', 'PARSE']);
    expect(await statusOf(url, videoNo)).toBe('PARSE');
  });

  it('every callback answered 2xx before a kill in the middle of a burst is kept, and nothing never sent', async () => {
    const where = await deployment({ MAX_CONCURRENT_UPLOADS_PER_KEY: '16' });
    let url = await start(where);
    const videoNos: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (videoNos.length < 400) {
          const uploaded = await uploadVideo(`${url}/graphql`, { content: await collect(videoFile(1024)) });
          videoNos.push(uploaded.json.data.uploadVideo.videoNo);
        }
      }),
    );

    // 1,000 callbacks: a duplicate UNPARSE and the PARSE for each of 400 videos, and 200 more
    // duplicates, in a shuffled order, 32 at a time; the gateway is killed after a random count.
    const uris = new Map([...simulator.videos.values()].map((video) => [video.videoNo, video.callbackUri!]));
    const burst = [
      ...videoNos.map((videoNo) => ({ videoNo, status: 'UNPARSE' })),
      ...videoNos.map((videoNo) => ({ videoNo, status: 'PARSE' })),
      ...videoNos.slice(0, 200).map((videoNo) => ({ videoNo, status: 'UNPARSE' })),
    ].sort(() => Math.random() - 0.5);
    const killAfter = 200 + Math.floor(Math.random() * 600);
    const acknowledged = new Set<string>();
    const sent = new Set<string>();
    let answered = 0;
    let killed: Promise<void> | undefined;
    const dispatcher = new Agent({ connections: 32 });
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < burst.length && killed === undefined) {
          const callback = burst[next++]!;
          if (callback.status === 'PARSE') sent.add(callback.videoNo);
          try {
            const answer = await request(uris.get(callback.videoNo)!, {
              method: 'POST',
              dispatcher,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ videoNo: callback.videoNo, clientId: 'c', status: callback.status }),
            });
            await answer.body.dump();
            if (answer.statusCode === 200 && callback.status === 'PARSE') acknowledged.add(callback.videoNo);
            answered += 1;
            if (answered === killAfter) killed = kill9();
          } catch {
            // The gateway died with this callback in flight: it may or may not have been kept.
          }
        }
      }),
    );
    await killed;
    await dispatcher.destroy();
    expect(acknowledged.size).toBeGreaterThan(0);

    url = await start(where);
    const statuses = new Map<string, string | undefined>();
    for (const videoNo of videoNos) statuses.set(videoNo, await statusOf(url, videoNo));
    const lost = [...acknowledged].filter((videoNo) => statuses.get(videoNo) !== 'PARSE');
    const invented = videoNos.filter((videoNo) => !sent.has(videoNo) && statuses.get(videoNo) !== 'UNPARSE');
    expect({ lost, invented }).toEqual({ lost: [], invented: [] });
    expect([...statuses.values()].every((status) => status === 'UNPARSE' || status === 'PARSE')).toBe(true);
  }, 60_000);

  it('polling for a pending video resumes (no PUBLIC_URL) and finds its final status', async () => {
    const where = await deployment({ STATUS_POLL_INTERVAL_MS: '200' });
    delete where.env.PUBLIC_URL;
    let url = await start(where);
    const uploaded = await uploadVideo(`${url}/graphql`, { content: await collect(videoFile(4096)) });
    const videoNo: string = uploaded.json.data.uploadVideo.videoNo;
    await kill9();

    await simulator.setStatus(videoNo, 'FAIL'); // no callback: only polling can learn it
    url = await start(where);
    await waitUntil(async () => (await statusOf(url, videoNo)) === 'FAIL', 'polling found FAIL');
  });

  /**
   * Starts a gateway in front of a MAVI that registers an upload at once but answers it only
   * after 60 s, uploads `fileName`, and waits until MAVI has it: the gateway can then be killed
   * with the upload's answer still to come.
   */
  async function uploadAnsweredLate(late: TestSimulator, fileName: string) {
    const where = await deployment({ MAVI_BASE_URL: late.url });
    const url = await start(where);
    void uploadVideo(`${url}/graphql`, { content: await collect(videoFile(4096)), fileName }).catch(() => undefined);
    await waitUntil(() => late.videos.size === 1, 'MAVI registered the upload');
    return { where, video: [...late.videos.values()][0]! };
  }

  const lateMavi = async (run: (late: TestSimulator) => Promise<void>) => {
    const late = new TestSimulator({ apiKey: TEST_MAVI_KEY, manualCallbacks: true, answerDelayMs: 60_000 });
    await late.start();
    try {
      await run(late);
    } finally {
      await late.stop();
    }
  };

  it('a callback held before the upload answer arrived survives, and binds the video', () =>
    lateMavi(async (late) => {
      const { where, video } = await uploadAnsweredLate(late, 'held.mp4');
      expect((await late.sendCallback(video.videoNo, 'PARSE')).httpStatus).toBe(202); // held
      await kill9(); // before MAVI's answer (60 s away) arrives

      const url = await start(where);
      const { body } = await postGraphQL(`${url}/graphql`, VideoDocument, { videoNo: video.videoNo });
      expect(body.data?.video).toMatchObject({ videoName: 'held.mp4', status: 'PARSE' });
    }));

  it('an upload cut by the crash before MAVI answered is bound by the first authentic callback', () =>
    lateMavi(async (late) => {
      const { where, video } = await uploadAnsweredLate(late, 'cut.mp4');
      await kill9();

      const url = await start(where);
      expect(await statusOf(url, video.videoNo)).toBeUndefined(); // nothing known yet
      expect((await late.sendCallback(video.videoNo, 'UNPARSE')).httpStatus).toBe(200);
      const { body } = await postGraphQL(`${url}/graphql`, VideoDocument, { videoNo: video.videoNo });
      expect(body.data?.video).toMatchObject({ videoName: 'cut.mp4', status: 'UNPARSE' });
      expect((await late.sendCallback(video.videoNo, 'PARSE')).httpStatus).toBe(200);
      expect(await statusOf(url, video.videoNo)).toBe('PARSE');
      // A forged token (its last character changed) changes nothing.
      const uri = video.callbackUri!;
      const forged = await late.sendCallback(video.videoNo, 'FAIL', uri.slice(0, -1) + (uri.endsWith('A') ? 'B' : 'A'));
      expect([403, 404]).toContain(forged.httpStatus);
      expect(await statusOf(url, video.videoNo)).toBe('PARSE');
    }));
});

const canMountReadOnly = canMountTmpfs('test/e2e/status/durability.test.ts', 'ro');

describe('a DATA_DIR the gateway cannot use', () => {
  /** Runs the gateway until it exits: its exit code (null when a signal ended it, named in `output`). */
  const refusal = async (where: RestartableDeployment) => {
    const gateway = startGatewayProcess(where.env);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      gateway.proc.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
    );
    const output = gateway.output.join('');
    return { code, output: signal ? `${output}\n(ended by ${signal})` : output };
  };

  it('a corrupt database: the gateway refuses to start, naming the file and the reason', async () => {
    const where = await deployment();
    writeFileSync(join(where.dataDir, 'gateway.sqlite'), 'not a database '.repeat(500));
    const { code, output } = await refusal(where);
    expect(code, output).toBe(1);
    expect(output).toContain(`${join(where.dataDir, 'gateway.sqlite')}: file is not a database`);
  });

  it('a folder that cannot be created: the gateway refuses to start, naming it and the reason', async () => {
    const where = await deployment();
    writeFileSync(join(where.dataDir, 'file'), '');
    where.env.DATA_DIR = join(where.dataDir, 'file', 'data');
    const { code, output } = await refusal(where);
    expect(code).toBe(1);
    expect(output).toMatch(/DATA_DIR .*file\/data cannot be created: .*ENOTDIR/);
  });

  it.skipIf(!canMountReadOnly)(
    'a folder that is not writable: "not writable", naming it, not SQLite’s words',
    async () => {
      const where = await deployment();
      const readOnly = join(where.dataDir, 'read-only');
      mkdirSync(readOnly);
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', readOnly]).status).toBe(0);
      try {
        where.env.DATA_DIR = readOnly;
        const { code, output } = await refusal(where);
        expect(code).toBe(1);
        expect(output).toContain(`DATA_DIR ${readOnly} is not writable`);
        expect(output).not.toContain('SQLITE_CANTOPEN');
      } finally {
        spawnSync('umount', [readOnly]);
      }
    },
  );

  it('a PORT in use: one line that names PORT, no stack trace', async () => {
    const where = await deployment();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(Number(where.env.PORT), '127.0.0.1', resolve));
    try {
      const { code, output } = await refusal(where);
      expect(code).toBe(1);
      expect(output).toContain(`PORT ${where.env.PORT} is already in use`);
      expect(output).not.toMatch(/"stack"|at Server\./);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('a database from a newer gateway: the gateway refuses to start', async () => {
    const where = await deployment();
    const db = new Database(join(where.dataDir, 'gateway.sqlite'));
    db.pragma('user_version = 7');
    db.close();
    const { code, output } = await refusal(where);
    expect(code).toBe(1);
    expect(output).toContain('has schema version 7, newer than this gateway knows');
  });
});
