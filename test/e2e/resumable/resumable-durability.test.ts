/**
 * A resumable upload survives the gateway's death: after `kill -9` mid-PATCH the
 * client resumes from the last offset on disk, and after `kill -9` while the file
 * goes to MAVI the restarted gateway forwards it again, and MAVI registers it
 * once. The gateway runs as its own process (as `npm start` runs it), killed with
 * SIGKILL and started again on the same DATA_DIR and port.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ResumableUploadProgressDocument } from '../../generated/operations.js';
import {
  killHard,
  restartableDeployment,
  startGatewayProcess,
  type GatewayProcess,
} from '../../utils/gateway-process.js';
import { subscribeSse } from '../../utils/graphql-clients.js';
import { MP4_HEADER } from '../../utils/multipart-client.js';
import { TEST_MAVI_KEY } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { createUpload, lastProgress, offsetOf, openPatch, tusUpload, uploadIdOf } from '../../utils/tus-client.js';
import { asAlice, TWO_CLIENT_KEYS } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const MIB = 1024 * 1024;
let simulator: TestSimulator;
const running: GatewayProcess[] = [];
const dataDirs: string[] = [];

beforeAll(async () => {
  simulator = new TestSimulator({ apiKey: TEST_MAVI_KEY });
  await simulator.start();
});
afterEach(() => {
  for (const gateway of running.splice(0)) gateway.proc.kill('SIGKILL');
  simulator.fault = undefined;
});
afterAll(async () => {
  await simulator.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function deployment() {
  const { dataDir, env } = await restartableDeployment(simulator.url, 'resumable-durability-', TWO_CLIENT_KEYS);
  dataDirs.push(dataDir);
  return { dataDir, env, start: () => start(env) };
}

async function start(env: Record<string, string>): Promise<string> {
  const gateway = startGatewayProcess(env);
  running.push(gateway);
  return gateway.url;
}

const kill9 = () => killHard(running.pop()!);

function videoBytes(size: number): Buffer {
  return Buffer.concat([MP4_HEADER, randomBytes(size - MP4_HEADER.length)]);
}
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function registered(url: string, uploadId: string) {
  const { collected } = subscribeSse(`${url}/graphql`, ResumableUploadProgressDocument, { uploadId }, asAlice);
  const last = await lastProgress(collected);
  expect(last?.state).toBe('REGISTERED');
  return last!;
}

describe('kill -9 of the gateway', () => {
  it('mid-PATCH: after a restart the client resumes from the last offset on disk, and MAVI gets the whole file', async () => {
    const where = await deployment();
    let url = await where.start();
    const file = videoBytes(12 * MIB);
    const uploadUrl = await createUpload(url, file.length, asAlice);
    const id = uploadIdOf(uploadUrl);
    const stagedFile = join(where.dataDir, 'staging', id);

    // A PATCH that sends 5 MiB and then stalls, as a phone does when its link dies.
    const patch = openPatch(uploadUrl, file.length, asAlice);
    patch.on('error', () => undefined);
    patch.write(file.subarray(0, 5 * MIB));
    await waitUntil(() => statSync(stagedFile).size === 5 * MIB, 'the first 5 MiB staged');
    await kill9();
    patch.destroy();

    url = await where.start();
    const offset = await offsetOf(uploadUrl, asAlice);
    expect(offset).toBe(statSync(stagedFile).size);
    expect(offset).toBe(5 * MIB);

    const resumed = await tusUpload({ endpoint: `${url}/uploads`, uploadUrl, file, headers: asAlice });
    expect(resumed.url).toBe(uploadUrl);
    const done = await registered(url, id);
    expect(simulator.videos.get(done.videoNo!)?.sha256).toBe(sha256(file));
  });

  it('while forwarding to MAVI: the restarted gateway forwards again, and the video is registered once', async () => {
    const where = await deployment();
    let url = await where.start();
    const file = videoBytes(8 * MIB);
    const videosBefore = simulator.videos.size;
    const uploadsBefore = simulator.stats.uploadRequests;
    const bytesBefore = simulator.stats.bytesReceived;
    // MAVI reads slowly, so the gateway dies with the file half sent.
    simulator.fault = { kind: 'slow-read', bytesPerSecond: 2 * MIB };
    const { url: uploadUrl } = await tusUpload({ endpoint: `${url}/uploads`, file, headers: asAlice });
    await waitUntil(() => simulator.stats.bytesReceived - bytesBefore >= MIB, 'MAVI receiving the file');
    await kill9();
    await waitUntil(() => simulator.stats.abortedUploads > 0, 'MAVI seeing the cut body');
    expect(simulator.videos.size).toBe(videosBefore);
    simulator.fault = undefined;

    url = await where.start();
    const done = await registered(url, uploadIdOf(uploadUrl));
    expect(simulator.videos.size).toBe(videosBefore + 1);
    expect(simulator.videos.get(done.videoNo!)?.sha256).toBe(sha256(file));
    expect(simulator.stats.uploadRequests - uploadsBefore).toBe(2);
    // MAVI has it: the staged bytes are gone.
    expect(existsSync(join(where.dataDir, 'staging', uploadIdOf(uploadUrl)))).toBe(false);
  });
});
