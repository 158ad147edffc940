/**
 * Resumable uploads (tus at /uploads) on one instance, staged under DATA_DIR:
 * a client on a link that drops resumes, MAVI receives one clean upload, and
 * the client follows it through to its video. Every bound is refused before a
 * byte is staged; an upload left unfinished expires with its bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  NodeDocument,
  ResumableUploadDocument,
  ResumableUploadIdDocument,
  ResumableUploadProgressDocument,
  VideosDocument,
  type ResumableUploadProgressSubscription,
} from '../../generated/operations.js';
import { CuttingProxy } from '../../utils/cutting-proxy.js';
import { postGraphQL, subscribeSse, type Collected } from '../../utils/graphql-clients.js';
import { MP4_HEADER } from '../../utils/multipart-client.js';
import { startStack, type Stack, type StackOptions } from '../../utils/stack.js';
import { createUploadRequest, tusRequest, tusUpload, uploadIdOf } from '../../utils/tus-client.js';
import { bearer, startTokenStack, TestIdentityProvider } from '../../utils/identity-provider.js';
import { asAlice, asBob, TWO_CLIENT_KEYS } from '../../utils/two-clients.js';

const MIB = 1024 * 1024;
const stacks: Stack[] = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.stop();
});

async function stack(options: StackOptions = {}): Promise<Stack & { dataDir: string }> {
  const dataDir = join((await import('node:os')).tmpdir(), `resumable-${randomBytes(6).toString('hex')}`);
  const started = await startStack({ ...options, env: { ...TWO_CLIENT_KEYS, DATA_DIR: dataDir, ...options.env } });
  stacks.push(started);
  return Object.assign(started, { dataDir });
}

/** A file that starts like an MP4 and goes on with random bytes. */
function videoBytes(size: number): Buffer {
  return Buffer.concat([MP4_HEADER, randomBytes(size - MP4_HEADER.length)]);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const staged = (dataDir: string) => readdirSync(join(dataDir, 'staging')).filter((name) => !name.endsWith('.json'));

function follow(stack: Stack, uploadId: string): Collected<ResumableUploadProgressSubscription> {
  return subscribeSse(stack.graphqlUrl, ResumableUploadProgressDocument, { uploadId }, asAlice).collected;
}

/** Waits for a progress event that passes `test`; the events so far. */
async function waitForState(
  collected: Collected<ResumableUploadProgressSubscription>,
  test: (event: NonNullable<ResumableUploadProgressSubscription['resumableUploadProgress']>) => boolean,
) {
  for (let seen = 1; ; seen += 1) {
    const events = await collected.waitForEvents(seen);
    const match = events.map((event) => event.data?.resumableUploadProgress).find((event) => event && test(event));
    if (match) return match;
    if (events.length < seen) throw new Error(`the subscription ended first: ${JSON.stringify(events.at(-1))}`);
  }
}

const create = (stack: Stack, length: number, headers = asAlice) => createUploadRequest(stack.url, length, headers);

describe('resumable uploads through a link that drops', () => {
  it('resume after each cut, and MAVI receives exactly the file (64 MiB)', async () => {
    const gateway = await stack();
    const file = videoBytes(64 * MIB);
    // Cuts at several random offsets of the bytes sent towards the gateway.
    const cuts = Array.from({ length: 4 }, (_, index) => Math.floor(((index + Math.random()) / 4) * 60 * MIB)).sort(
      (a, b) => a - b,
    );
    const target = new URL(gateway.url);
    const proxy = new CuttingProxy({ host: target.hostname, port: Number(target.port) }, cuts);
    await proxy.start();
    try {
      let uploadId: string | undefined;
      const result = await tusUpload({
        endpoint: `${proxy.url}/uploads`,
        file,
        headers: asAlice,
        metadata: { filename: 'train-ride.mp4', filetype: 'video/mp4' },
        retryDelays: [0, 10, 10, 10, 10, 10],
        onUrl: (url) => {
          uploadId = uploadIdOf(url);
        },
      });
      expect(proxy.cutsMade).toEqual(cuts);
      expect(result.retries).toBeGreaterThanOrEqual(cuts.length);
      const progress = follow(gateway, uploadId!);
      const registered = await waitForState(progress, (event) => event.state === 'REGISTERED');
      const video = gateway.simulator.videos.get(registered.videoNo!)!;
      expect(video.sha256).toBe(sha256(file));
      expect(video.bytes).toBe(file.length);
      expect(gateway.simulator.stats.uploadRequests).toBe(1);
      // The video is listed under its file name, and nothing is left in staging.
      const listed = await postGraphQL(
        gateway.graphqlUrl,
        VideosDocument,
        { first: null, after: null, status: null, nameContains: null },
        asAlice,
      );
      expect(listed.body.data?.videos?.edges.map((edge) => edge.node.videoName)).toEqual(['train-ride.mp4']);
      expect(staged(gateway.dataDir)).toEqual([]);
      const query = await postGraphQL(gateway.graphqlUrl, ResumableUploadDocument, { uploadId: uploadId! }, asAlice);
      expect(query.body.data?.resumableUpload).toMatchObject({
        state: 'REGISTERED',
        offset: file.length,
        length: file.length,
        video: { videoNo: registered.videoNo, videoName: 'train-ride.mp4' },
      });
    } finally {
      await proxy.stop();
    }
  });
});

describe("an upload's URL is its owner's", () => {
  it('another client gets 404 for HEAD, PATCH and DELETE, and the upload is untouched', async () => {
    const gateway = await stack();
    const created = await create(gateway, 4096);
    expect(created.status).toBe(201);
    const url = new URL(created.headers.location as string, gateway.url).href;
    for (const method of ['HEAD', 'PATCH', 'DELETE']) {
      const extra: Record<string, string> =
        method === 'PATCH' ? { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' } : {};
      const answer = await tusRequest(
        url,
        method,
        { ...asBob, ...extra },
        method === 'PATCH' ? videoBytes(4096) : undefined,
      );
      expect(answer.status, method).toBe(404);
    }
    const own = await tusRequest(url, 'HEAD', asAlice);
    expect(own.status).toBe(200);
    expect(own.headers['upload-offset']).toBe('0');
    // Bob's view of it in GraphQL: nothing.
    const query = await postGraphQL(gateway.graphqlUrl, ResumableUploadDocument, { uploadId: uploadIdOf(url) }, asBob);
    expect(query.body.data?.resumableUpload).toBeNull();
    // Its global id refetches it for Alice, and is nothing to Bob.
    const ids = await postGraphQL(
      gateway.graphqlUrl,
      ResumableUploadIdDocument,
      { uploadId: uploadIdOf(url) },
      asAlice,
    );
    const { id } = ids.body.data!.resumableUpload!;
    const node = (headers: Record<string, string>) => postGraphQL(gateway.graphqlUrl, NodeDocument, { id }, headers);
    expect((await node(asAlice)).body).toEqual({
      data: { node: { __typename: 'ResumableUpload', id, uploadId: uploadIdOf(url), state: 'RECEIVING' } },
    });
    expect((await node(asBob)).body).toEqual({ data: { node: null } });
    const anonymous = await tusRequest(url, 'HEAD', {});
    expect(anonymous.status).toBe(401);
  });
});

describe('bounds, each refused before the body is read', () => {
  it('refuses the file size, the per-owner count and bytes, the budget and a full disk; nothing is staged or forwarded', async () => {
    const limits = {
      MAX_UPLOAD_BYTES: String(8 * MIB),
      STAGING_MAX_UPLOADS_PER_OWNER: '2',
      STAGING_MAX_BYTES_PER_OWNER: String(10 * MIB),
      STAGING_MAX_BYTES: String(14 * MIB),
    };
    const gateway = await stack({ env: limits });
    const refusedWith = async (length: number, headers = asAlice) => {
      const answer = await create(gateway, length, headers);
      return {
        status: answer.status,
        code: (JSON.parse(answer.text || '{}') as { error?: { code: string } }).error?.code,
      };
    };
    expect(await refusedWith(8 * MIB + 1)).toEqual({ status: 413, code: 'UPLOAD_TOO_LARGE' });
    expect((await create(gateway, 6 * MIB)).status).toBe(201);
    expect(await refusedWith(5 * MIB)).toEqual({ status: 429, code: 'STAGING_QUOTA_EXCEEDED' });
    expect((await create(gateway, 1 * MIB)).status).toBe(201);
    expect(await refusedWith(1024)).toEqual({ status: 429, code: 'TOO_MANY_STAGED_UPLOADS' });
    // Bob has room of his own, but not in the whole budget (14 MiB, 7 MiB used).
    expect(await refusedWith(8 * MIB, asBob)).toEqual({ status: 507, code: 'STAGING_FULL' });
    expect((await create(gateway, 7 * MIB, asBob)).status).toBe(201);
    // A creation with its body (creation-with-upload) over a bound: refused, and its bytes are not staged.
    const withBody = await tusRequest(
      `${gateway.url}/uploads`,
      'POST',
      { ...asBob, 'upload-length': String(2 * MIB), 'content-type': 'application/offset+octet-stream' },
      videoBytes(2 * MIB),
    );
    expect(withBody.status).toBe(507);
    expect(staged(gateway.dataDir).length).toBe(3);
    expect(gateway.simulator.stats.uploadRequests).toBe(0);
  });

  it('refuses a new upload that would leave less than STAGING_MIN_FREE_BYTES on the staging disk', async () => {
    const gateway = await stack({ env: { STAGING_MIN_FREE_BYTES: String(Number.MAX_SAFE_INTEGER) } });
    const answer = await create(gateway, 4096);
    expect(answer.status).toBe(507);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'STAGING_FULL' } });
    expect(answer.headers['retry-after']).toBe('60');
    expect(staged(gateway.dataDir)).toEqual([]);
  });
});

describe('expiry', () => {
  it('an upload left unfinished expires: its bytes are removed and its state says so', async () => {
    const gateway = await stack({ env: { STAGED_UPLOAD_EXPIRY_MS: '1000' } });
    const created = await create(gateway, 4 * MIB);
    const url = new URL(created.headers.location as string, gateway.url).href;
    const patched = await tusRequest(
      url,
      'PATCH',
      { ...asAlice, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      videoBytes(MIB),
    );
    expect(patched.status).toBe(204);
    expect(staged(gateway.dataDir)).toHaveLength(1);
    const expired = await waitForState(follow(gateway, uploadIdOf(url)), (event) => event.state === 'FAILED');
    expect(expired.errorCode).toBe('UPLOAD_EXPIRED');
    expect(staged(gateway.dataDir)).toEqual([]);
    // The client resuming it learns it is gone.
    const head = await tusRequest(url, 'HEAD', asAlice);
    expect(head.status).toBe(410);
    expect(gateway.simulator.stats.uploadRequests).toBe(0);
  });
});

describe('forwarding to MAVI', () => {
  it('retries while MAVI is busy, the retries visible in the state, then registers one video', async () => {
    const gateway = await stack();
    gateway.simulator.fault = { kind: 'busy' };
    const file = videoBytes(2 * MIB);
    const { url } = await tusUpload({ endpoint: `${gateway.url}/uploads`, file, headers: asAlice });
    const progress = follow(gateway, uploadIdOf(url));
    const retrying = await waitForState(progress, (event) => event.errorCode === 'MAVI_BUSY');
    expect(retrying.state).toBe('FORWARDING');
    gateway.simulator.fault = undefined;
    const registered = await waitForState(progress, (event) => event.state === 'REGISTERED');
    expect(registered.attempts).toBeGreaterThanOrEqual(2);
    expect(gateway.simulator.videos.size).toBe(1);
    expect(gateway.simulator.videos.get(registered.videoNo!)?.sha256).toBe(sha256(file));
  });

  it('a permanent refusal is final: FAILED with its code, nothing registered, the bytes removed', async () => {
    const gateway = await stack();
    const notAVideo = randomBytes(MIB);
    const { url } = await tusUpload({ endpoint: `${gateway.url}/uploads`, file: notAVideo, headers: asAlice });
    const failed = await waitForState(follow(gateway, uploadIdOf(url)), (event) => event.state === 'FAILED');
    expect(failed.errorCode).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(gateway.simulator.stats.uploadRequests).toBe(0);
    expect(staged(gateway.dataDir)).toEqual([]);
  });
});

describe("signed-in users' tokens", () => {
  it("each user's upload is theirs: another user gets 404, no token 401, an expired token 401", async () => {
    const provider = new TestIdentityProvider();
    await provider.start();
    const gateway = await startTokenStack(provider);
    stacks.push(gateway);
    try {
      const alice = bearer(await provider.token('alice'));
      const bob = bearer(await provider.token('bob'));
      const file = videoBytes(MIB);
      const { url } = await tusUpload({ endpoint: `${gateway.url}/uploads`, file, headers: alice });
      const registered = await waitForState(
        subscribeSse(gateway.graphqlUrl, ResumableUploadProgressDocument, { uploadId: uploadIdOf(url) }, alice)
          .collected,
        (event) => event.state === 'REGISTERED',
      );
      expect(gateway.simulator.videos.get(registered.videoNo!)?.sha256).toBe(sha256(file));

      const pending = await createUploadRequest(gateway.url, 4096, alice);
      const pendingUrl = new URL(pending.headers.location as string, gateway.url).href;
      expect((await tusRequest(pendingUrl, 'HEAD', bob)).status).toBe(404);
      expect((await tusRequest(pendingUrl, 'HEAD', {})).status).toBe(401);
      const expired = bearer(await provider.token('alice', { expiresIn: -60 }));
      const refused = await tusRequest(pendingUrl, 'HEAD', expired);
      expect(refused.status).toBe(401);
      expect((await tusRequest(pendingUrl, 'HEAD', alice)).status).toBe(200);
    } finally {
      await provider.stop();
    }
  });
});
