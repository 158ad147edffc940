/**
 * Resumable uploads across instances: two gateways on one Redis stage in one
 * S3-compatible store (s3rver, run here), so an upload started on A resumes on
 * B, and two PATCHes to one upload, on two instances, never write at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResumableUploadProgressDocument } from '../../generated/operations.js';
import { subscribeSse } from '../../utils/graphql-clients.js';
import { MP4_HEADER } from '../../utils/multipart-client.js';
import { dropPrefix, REDIS_URL, requireRedis, uniquePrefix } from '../../utils/redis.js';
import { startS3Server, type S3Server } from '../../utils/s3-server.js';
import { startStack, TEST_MAVI_KEY, type Stack } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import {
  createUpload,
  lastProgress,
  offsetOf,
  openPatch,
  patchUpload,
  tusUpload,
  uploadIdOf,
} from '../../utils/tus-client.js';
import { asAlice, TWO_CLIENT_KEYS } from '../../utils/two-clients.js';

const hasRedis = await requireRedis('test/e2e/scale-out/resumable-scale-out.test.ts');
const MIB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const videoBytes = (size: number) => Buffer.concat([MP4_HEADER, randomBytes(size - MP4_HEADER.length)]);

describe.skipIf(!hasRedis)('two instances, one Redis, one S3-compatible staging store', () => {
  let simulator: TestSimulator;
  let s3: S3Server;
  let a: Stack;
  let b: Stack;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    simulator = new TestSimulator({ apiKey: TEST_MAVI_KEY });
    await simulator.start();
    s3 = await startS3Server();
    const env = { ...TWO_CLIENT_KEYS, ...s3.env, REDIS_URL, REDIS_PREFIX: prefix };
    a = await startStack({ sharedSimulator: simulator, env });
    b = await startStack({ sharedSimulator: simulator, env });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await s3?.stop();
    await simulator?.stop();
    await dropPrefix(prefix);
  });

  it('starts on A, resumes on B: MAVI gets the file once, and staging is empty after', async () => {
    const file = videoBytes(20 * MIB);
    const path = new URL(await createUpload(a.url, file.length, asAlice)).pathname;
    expect(await patchUpload(`${a.url}${path}`, 0, file.subarray(0, 12 * MIB), asAlice)).toBe(204);
    expect(await offsetOf(`${b.url}${path}`, asAlice)).toBe(12 * MIB);

    const progress = subscribeSse(
      a.graphqlUrl,
      ResumableUploadProgressDocument,
      { uploadId: uploadIdOf(`${a.url}${path}`) },
      asAlice,
    ).collected;
    await tusUpload({ endpoint: `${b.url}/uploads`, uploadUrl: `${b.url}${path}`, file, headers: asAlice });
    const last = await lastProgress(progress);
    expect(last?.state).toBe('REGISTERED');
    expect(simulator.videos.get(last!.videoNo!)?.sha256).toBe(sha256(file));
    expect(await s3.contents()).toEqual({ objects: [], multipartUploads: [] });
  });

  it('two PATCHes to one upload, on A and on B, are serialised by the lock; the upload then completes intact', async () => {
    const file = videoBytes(16 * MIB);
    const path = new URL(await createUpload(a.url, file.length, asAlice)).pathname;
    const uploadId = uploadIdOf(`${a.url}${path}`);
    const order: string[] = [];
    const progress = subscribeSse(b.graphqlUrl, ResumableUploadProgressDocument, { uploadId }, asAlice).collected;

    // On A: a PATCH that sends 1 MiB and stalls, holding the upload's lock.
    const stalled = openPatch(`${a.url}${path}`, file.length, asAlice);
    const stalledEnded = new Promise<void>((resolve) => {
      const done = (what: string) => {
        order.push(what);
        resolve();
      };
      stalled.on('response', (response: IncomingMessage) => {
        response.resume();
        response.on('end', () => done(`A answered ${response.statusCode}`));
      });
      stalled.on('error', () => done('A cut'));
    });
    stalled.write(file.subarray(0, MIB));
    // A is writing once its progress says so (bytes arrive only while it holds the lock).
    for (let seen = 1; ; seen += 1) {
      const events = await progress.waitForEvents(seen);
      if (events.some((event) => (event.data?.resumableUploadProgress?.offset ?? 0) > 0)) break;
      if (events.length < seen) throw new Error('the progress subscription ended');
    }

    // On B: the whole file from offset 0. B must wait for A to let go of the lock.
    const second = await patchUpload(`${b.url}${path}`, 0, file, asAlice);
    order.push(`B answered ${second}`);
    await stalledEnded;
    // A let go first; B then found the upload as A left it: its offset no longer 0 (409), or it wrote it all.
    expect(order[0]).toMatch(/^A /);
    expect([204, 409]).toContain(second);

    // Whatever A and B left, the client resumes from the server's offset, and MAVI gets the file intact.
    await tusUpload({ endpoint: `${a.url}/uploads`, uploadUrl: `${a.url}${path}`, file, headers: asAlice });
    const last = await lastProgress(progress);
    expect(last?.state).toBe('REGISTERED');
    expect(simulator.videos.get(last!.videoNo!)?.sha256).toBe(sha256(file));
    stalled.destroy();
  });
});
