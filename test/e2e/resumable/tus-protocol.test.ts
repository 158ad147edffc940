/**
 * /uploads as tus 1.0 says, attacked over real sockets: version negotiation, the
 * method override, content types, what OPTIONS advertises, an expired upload's
 * 410, the JSON refusal on every path, one rule for a video's name on every path
 * that names one, a PATCH's own rules (offsets, lengths, CORS, a newer request taking the
 * upload's lock), a full disk mid-PATCH, a reservation nobody uses, and the query
 * agreeing with the subscription while a file is forwarded.
 */
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ResumableUploadDocument,
  ResumableUploadProgressDocument,
  UploadVideoFromUrlDocument,
} from '../../generated/operations.js';
import { postGraphQL, subscribeSse } from '../../utils/graphql-clients.js';
import { MP4_HEADER, uploadVideo } from '../../utils/multipart-client.js';
import { startStack, type Stack, type StackOptions } from '../../utils/stack.js';
import {
  createUpload,
  createUploadRequest,
  offsetOf,
  openPatch,
  patchUpload,
  tusRequest,
  tusUpload,
  uploadIdOf,
} from '../../utils/tus-client.js';
import { canMountTmpfs } from '../../utils/mounts.js';
import { asAlice, TWO_CLIENT_KEYS } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const MIB = 1024 * 1024;
const stacks: Stack[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.stop();
  for (const folder of folders.splice(0)) {
    spawnSync('umount', [folder]);
    rmSync(folder, { recursive: true, force: true });
  }
});

async function stack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tus-protocol-'));
  folders.push(dataDir);
  const started = await startStack({ ...options, env: { ...TWO_CLIENT_KEYS, DATA_DIR: dataDir, ...options.env } });
  stacks.push(started);
  return started;
}

const videoBytes = (size: number) => Buffer.concat([MP4_HEADER, randomBytes(size - MP4_HEADER.length)]);
const codeOf = (text: string) => (JSON.parse(text || '{}') as { error?: { code?: string } }).error?.code;
const query = async (gateway: Stack, uploadId: string) =>
  (await postGraphQL(gateway.graphqlUrl, ResumableUploadDocument, { uploadId }, asAlice)).body.data?.resumableUpload;

describe('the protocol, before tus sees a request', () => {
  it('answers a missing or unsupported Tus-Resumable with 412 and Tus-Version', async () => {
    const gateway = await stack();
    for (const version of [undefined, '0.2.2']) {
      const headers: Record<string, string> = { ...asAlice, 'upload-length': '1024' };
      if (version) headers['tus-resumable'] = version;
      const answer = await fetch(`${gateway.url}/uploads`, { method: 'POST', headers });
      expect({ version, status: answer.status }).toEqual({ version, status: 412 });
      expect(answer.headers.get('tus-version')).toBe('1.0.0');
      expect(codeOf(await answer.text())).toBe('TUS_VERSION_UNSUPPORTED');
    }
  });

  it('honours X-HTTP-Method-Override: a POST that says PATCH appends bytes', async () => {
    const gateway = await stack();
    const url = await createUpload(gateway.url, 4096, asAlice);
    const answer = await tusRequest(
      url,
      'POST',
      {
        ...asAlice,
        'x-http-method-override': 'PATCH',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
      videoBytes(1024),
    );
    expect(answer.status).toBe(204);
    expect(answer.headers['upload-offset']).toBe('1024');
    expect(await offsetOf(url, asAlice)).toBe(1024);
  });

  it('answers a PATCH with the wrong Content-Type 415, and stages nothing', async () => {
    const gateway = await stack();
    const url = await createUpload(gateway.url, 4096, asAlice);
    const answer = await tusRequest(
      url,
      'PATCH',
      { ...asAlice, 'upload-offset': '0', 'content-type': 'application/json' },
      Buffer.from('{}'),
    );
    expect(answer.status).toBe(415);
    expect(codeOf(answer.text)).toBe('WRONG_CONTENT_TYPE');
    expect(await offsetOf(url, asAlice)).toBe(0);
  });

  it('advertises only what it serves: no creation-defer-length, and Tus-Max-Size', async () => {
    const gateway = await stack({ env: { MAX_UPLOAD_BYTES: String(8 * MIB) } });
    const answer = await fetch(`${gateway.url}/uploads`, { method: 'OPTIONS' });
    expect(answer.status).toBe(204);
    const extensions = answer.headers.get('tus-extension')!.split(',');
    expect(extensions).toContain('creation');
    expect(extensions).not.toContain('creation-defer-length');
    expect(answer.headers.get('tus-max-size')).toBe(String(8 * MIB));
    const tooLarge = await createUploadRequest(gateway.url, 8 * MIB + 1, asAlice);
    expect(tooLarge.status).toBe(413);
    expect(codeOf(tooLarge.text)).toBe('UPLOAD_TOO_LARGE');
  });

  it('answers every path with the JSON refusal: /uploads/. and a HEAD of the collection', async () => {
    const gateway = await stack();
    for (const [method, path] of [
      ['HEAD', '/uploads/.'],
      ['PATCH', '/uploads/.'],
      ['DELETE', '/uploads'],
    ] as const) {
      const answer = await tusRequest(`${gateway.url}${path}`, method, {
        ...asAlice,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': '0',
      });
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 404 });
      if (method !== 'HEAD') expect(codeOf(answer.text)).toBe('UPLOAD_NOT_FOUND');
      expect(answer.headers['content-type']).toMatch(/application\/json/);
    }
  });
});

describe('a PATCH, as tus 1.0 has it', () => {
  const patch = (url: string, headers: Record<string, string>, body: Buffer) =>
    tusRequest(url, 'PATCH', { ...asAlice, 'content-type': 'application/offset+octet-stream', ...headers }, body);

  it('answers a wrong, missing or malformed Upload-Offset, and a declared length, and stages nothing', async () => {
    const gateway = await stack();
    const url = await createUpload(gateway.url, 4096, asAlice);
    const bytes = videoBytes(1024);
    const answers = [
      await patch(url, { 'upload-offset': '512' }, bytes),
      await patch(url, {}, bytes),
      await patch(url, { 'upload-offset': '-1' }, bytes),
      await patch(url, { 'upload-offset': '0', 'upload-length': '4096' }, bytes),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([409, 403, 400, 501]);
    for (const answer of answers) expect(answer.headers['tus-resumable']).toBe('1.0.0');
    expect(await offsetOf(url, asAlice)).toBe(0);
  });

  it('refuses a body longer than the upload: by its Content-Length before reading, and chunked as it passes', async () => {
    const gateway = await stack();
    const url = await createUpload(gateway.url, 4096, asAlice);
    const declared = await patch(url, { 'upload-offset': '0' }, videoBytes(8192));
    expect(declared.status).toBe(413);
    expect(codeOf(declared.text)).toBe('UPLOAD_TOO_LARGE');
    expect(await offsetOf(url, asAlice)).toBe(0);

    // No Content-Length: the body is refused once it passes the upload's end, and no byte past it is staged.
    const chunked = httpRequest(url, {
      method: 'PATCH',
      headers: {
        ...asAlice,
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
    });
    const status = new Promise<number>((resolve, reject) => {
      chunked.once('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      chunked.once('error', reject);
    });
    chunked.end(videoBytes(64 * 1024));
    expect(await status).toBe(413);
    expect(await offsetOf(url, asAlice)).toBeLessThanOrEqual(4096);
  });

  it('lets a browser read the new offset (CORS) and finishes the upload on its last byte', async () => {
    const gateway = await stack({ env: { CORS_ORIGINS: 'https://app.example' } });
    const url = await createUpload(gateway.url, 2048, asAlice);
    const bytes = videoBytes(2048);
    const first = await patch(url, { 'upload-offset': '0', origin: 'https://app.example' }, bytes.subarray(0, 1024));
    expect(first.status).toBe(204);
    expect(first.headers['upload-offset']).toBe('1024');
    expect(first.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(first.headers['access-control-expose-headers']).toLowerCase()).toContain('upload-offset');
    const last = await patch(url, { 'upload-offset': '1024' }, bytes.subarray(1024));
    expect(last.status).toBe(204);
    expect(last.headers['upload-offset']).toBe('2048');
    await waitUntil(async () => (await query(gateway, uploadIdOf(url)))?.state === 'REGISTERED', 'registered');
  });

  it('a resuming client’s HEAD makes a stalled PATCH keep what it has and answer; the client goes on from there', async () => {
    const gateway = await stack();
    const url = await createUpload(gateway.url, 2 * MIB, asAlice);
    const bytes = videoBytes(2 * MIB);
    const stalled = openPatch(url, 2 * MIB, asAlice);
    const answered = new Promise<{ status: number; offset: string | undefined }>((resolve) => {
      stalled.once('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode!, offset: res.headers['upload-offset'] as string | undefined });
      });
    });
    stalled.on('error', () => undefined); // the gateway closes the connection after its answer
    stalled.write(bytes.subarray(0, MIB));
    await waitUntil(
      async () => (await query(gateway, uploadIdOf(url)))?.offset === MIB,
      'the first MiB staged (reported as it arrives)',
    );
    const kept = await offsetOf(url, asAlice);
    expect(kept).toBe(MIB);
    expect(await answered).toEqual({ status: 204, offset: String(MIB) });
    stalled.destroy();
    expect(await patchUpload(url, kept, bytes.subarray(kept), asAlice)).toBe(204);
    await waitUntil(async () => (await query(gateway, uploadIdOf(url)))?.state === 'REGISTERED', 'registered');
  });
});

describe('one rule for a video’s name, on every path that names one', () => {
  const unshowable = ['clip\u007f.mp4', 'clip\u0085.mp4', 'clip\u009b31m.mp4', 'clip\u202egnp.mp4', 'a\u2066b.mp4'];

  it('refuses control characters and bidirectional controls in tus metadata', async () => {
    const gateway = await stack();
    for (const name of unshowable) {
      const answer = await createUploadRequest(gateway.url, 4096, asAlice, name);
      expect({ name: JSON.stringify(name), status: answer.status }).toEqual({
        name: JSON.stringify(name),
        status: 400,
      });
      expect(JSON.parse(answer.text).error.message).toMatch(/bidirectional controls/);
    }
    // Names in any script, emoji sequences (with their zero-width joiners) included, stay welcome.
    expect((await createUploadRequest(gateway.url, 4096, asAlice, 'فيديو 👩‍👩‍👧 vidéo.mp4')).status).toBe(201);
  });

  it('refuses them in a multipart file name and in a URL’s last segment, and MAVI hears of neither', async () => {
    const gateway = await stack();
    for (const name of unshowable) {
      const result = await uploadVideo(gateway.graphqlUrl, {
        content: videoBytes(4096),
        headers: asAlice,
        fileName: name,
      });
      // A raw DEL is no header byte at all (RFC 9110 field values): the part header itself is refused.
      const expected = name.includes('\u007f') ? 'INVALID_MULTIPART' : 'INVALID_INPUT';
      expect(result.json.errors?.[0]?.extensions?.code, JSON.stringify(name)).toBe(expected);
    }
    const fromUrl = await postGraphQL(
      gateway.graphqlUrl,
      UploadVideoFromUrlDocument,
      { url: 'https://93.184.216.34/clip%E2%80%AEgnp.mp4', metadata: null },
      asAlice,
    );
    expect(fromUrl.body.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    expect(gateway.simulator.stats.uploadRequests).toBe(0);
    expect(gateway.simulator.videos.size).toBe(0);
  });
});

describe('reservations and expiry', () => {
  it('gives back the place of an upload that receives nothing, and answers its URL 410 after', async () => {
    const gateway = await stack({
      env: {
        STAGING_MAX_BYTES: String(10 * MIB),
        // Long enough that the three creations below come well within it, even on a busy machine.
        STAGING_IDLE_EXPIRY_MS: '5000',
        STAGED_UPLOAD_EXPIRY_MS: String(24 * 3600_000),
      },
    });
    // Two creations without a body hold the whole budget…
    const first = await createUpload(gateway.url, 5 * MIB, asAlice);
    await createUpload(gateway.url, 5 * MIB, asAlice);
    expect(codeOf((await createUploadRequest(gateway.url, MIB, asAlice)).text)).toBe('STAGING_FULL');
    // …until they have been idle long enough: they expire, and their places come back.
    await subscribeSse(
      gateway.graphqlUrl,
      ResumableUploadProgressDocument,
      { uploadId: uploadIdOf(first) },
      asAlice,
    ).collected.ended();
    const last = await query(gateway, uploadIdOf(first));
    expect(last).toMatchObject({ state: 'FAILED', errorCode: 'UPLOAD_EXPIRED' });
    await waitUntil(async () => (await createUploadRequest(gateway.url, MIB, asAlice)).status === 201, 'room again');
    const head = await tusRequest(first, 'HEAD', asAlice);
    expect(head.status).toBe(410);
  });

  it('moves an upload’s expiry on as its bytes arrive', async () => {
    const gateway = await stack({ env: { STAGING_IDLE_EXPIRY_MS: '600000' } });
    const url = await createUpload(gateway.url, 4 * MIB, asAlice);
    const before = Date.parse((await query(gateway, uploadIdOf(url)))!.expiresAt as string);
    expect(await patchUpload(url, 0, videoBytes(MIB), asAlice)).toBe(204);
    await waitUntil(
      async () => Date.parse((await query(gateway, uploadIdOf(url)))!.expiresAt as string) > before,
      'the expiry moved on',
    );
  });
});

describe('forwarding, asked and followed', () => {
  it('the query shows the attempt and its bytes as the subscription does', async () => {
    const gateway = await stack();
    gateway.simulator.fault = { kind: 'slow-read', bytesPerSecond: 2 * MIB };
    const { url } = await tusUpload({
      endpoint: `${gateway.url}/uploads`,
      file: videoBytes(8 * MIB),
      headers: asAlice,
    });
    const uploadId = uploadIdOf(url);
    const followed = subscribeSse(gateway.graphqlUrl, ResumableUploadProgressDocument, { uploadId }, asAlice);
    for (let seen = 1; ; seen += 1) {
      const events = await followed.collected.waitForEvents(seen);
      const event = events.at(-1)?.data?.resumableUploadProgress;
      if (event?.state === 'FORWARDING' && event.bytesForwarded > 0) break;
    }
    await waitUntil(async () => {
      const asked = await query(gateway, uploadId);
      return asked?.state !== 'FORWARDING' || (asked.attempts === 1 && asked.bytesForwarded > 0);
    }, 'the query shows the bytes forwarded');
    const asked = await query(gateway, uploadId);
    expect(asked).toMatchObject({ state: 'FORWARDING', attempts: 1 });
    gateway.simulator.fault = undefined;
  });
});

const canMount = canMountTmpfs('test/e2e/resumable/tus-protocol.test.ts');

describe.skipIf(!canMount)('a full disk mid-PATCH (a small tmpfs of its own)', () => {
  it('answers 507 STAGING_FULL with Retry-After, and keeps what arrived for a resume', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tus-full-'));
    folders.push(dataDir);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dataDir]).status).toBe(0);
    const gateway = await stack({ env: { DATA_DIR: dataDir, STAGING_MIN_FREE_BYTES: '0' } });
    const url = await createUpload(gateway.url, 4 * MIB, asAlice);
    // Admitted while there was room; then something else takes all but 1 MiB of the disk.
    const { bavail, bsize } = statfsSync(dataDir);
    writeFileSync(join(dataDir, 'filler'), Buffer.alloc(Number(bavail) * Number(bsize) - MIB));
    const answer = await tusRequest(
      url,
      'PATCH',
      { ...asAlice, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      videoBytes(4 * MIB),
    );
    expect(answer.status).toBe(507);
    expect(codeOf(answer.text)).toBe('STAGING_FULL');
    expect(answer.headers['retry-after']).toBe('60');
    const kept = await offsetOf(url, asAlice);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(4 * MIB);
    // Room again: the client resumes from what was kept, and the upload completes.
    rmSync(join(dataDir, 'filler'));
    expect(await patchUpload(url, kept, videoBytes(4 * MIB).subarray(kept), asAlice)).toBe(204);
  });
});
