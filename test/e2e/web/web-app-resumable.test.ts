/**
 * The web app's uploads are resumable, in Chromium as a person on a bad link
 * meets them: an upload throttled, its connection cut mid-way (a TCP proxy of
 * the test's own between the browser and the gateway), continuing on its own;
 * then the page reloaded mid-upload and the same file picked again, resuming
 * from where the gateway's staging stopped, not from byte 0. MAVI receives
 * one clean upload of exactly the file.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium, throttleUploads } from '../../utils/browser.js';
import { ResumableUploadDocument } from '../../generated/operations.js';
import { CuttingProxy } from '../../utils/cutting-proxy.js';
import { postGraphQL } from '../../utils/graphql-clients.js';
import { collect, MP4_HEADER, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { waitUntil } from '../../utils/wait.js';

const KEY = 'web-app-resumable-key-8d2f41';
const MIB = 1024 * 1024;
const hasChromium = requireChromium('web-app-resumable.test.ts');
const built = existsSync(new URL('../../../dist/web/index.html', import.meta.url));
if (!built && process.env.CI) throw new Error('CI must run the web app test, but dist/web/ is not built');

let stack: Stack;
let proxy: CuttingProxy;
let browser: Browser;
let dir: string;
beforeAll(async () => {
  if (!built || !hasChromium) return;
  stack = await startStack({ env: { GATEWAY_API_KEYS: KEY } });
  const target = new URL(stack.url);
  // The link drops once, 3 MiB into what the browser sends.
  proxy = new CuttingProxy({ host: target.hostname, port: Number(target.port) }, [3 * MIB]);
  await proxy.start();
  dir = await mkdtemp(join(tmpdir(), 'web-app-resumable-'));
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await proxy?.stop();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!built || !hasChromium)('the web app on a link that drops', () => {
  it('continues after a cut on its own, and after a reload resumes where staging stopped', async () => {
    const path = join(dir, 'phone clip.mp4');
    await writeFile(path, Buffer.concat([MP4_HEADER, await collect(videoFile(10 * MIB))]));
    const file = await readFile(path);

    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    const patchOffsets: number[] = [];
    page.on('request', (sent) => {
      if (sent.method() === 'PATCH') patchOffsets.push(Number(sent.headers()['upload-offset']));
    });
    let uploadUrl: string | undefined;
    page.on('response', (answer) => {
      if (answer.request().method() === 'POST' && answer.url().endsWith('/uploads') && answer.status() === 201) {
        uploadUrl = new URL(answer.headers().location!, answer.url()).href;
      }
    });
    // Read through GraphQL: a tus HEAD would take the upload's lock, and so ask the browser's PATCH to stop.
    const stagedOffset = async () => {
      if (uploadUrl === undefined) return 0;
      const uploadId = uploadUrl.split('/').pop()!;
      const answer = await postGraphQL(
        stack.graphqlUrl,
        ResumableUploadDocument,
        { uploadId },
        { authorization: `Bearer ${KEY}` },
      );
      return answer.body.data?.resumableUpload?.offset ?? 0;
    };

    await page.goto(`${proxy.url}/`);
    await page.fill('#key', KEY);
    await page.click('#key-form button[type=submit]');
    await throttleUploads(page, 1 * MIB);
    await page.setInputFiles('#files', path);

    // The cut: the upload goes on by itself from the gateway's offset.
    await waitUntil(() => proxy.cutsMade.length === 1, 'the link dropping', 60_000);
    await waitUntil(() => patchOffsets.some((offset) => offset > 0), 'a PATCH resuming after the cut', 60_000);
    await waitUntil(async () => (await stagedOffset()) >= 5 * MIB, 'half the file staged', 60_000);

    // A reload mid-upload; the same file picked again resumes from the staged offset.
    await page.reload();
    patchOffsets.length = 0;
    await throttleUploads(page, 4 * MIB);
    await page.setInputFiles('#files', path);
    await expect
      .poll(() => page.textContent('#uploads li:first-child .message'), { timeout: 60_000 })
      .toMatch(/uploaded as \S+/);
    // Not from byte 0: from at least what was staged before the reload.
    expect(patchOffsets[0]).toBeGreaterThanOrEqual(5 * MIB);

    const videoNo = /uploaded as (\S+)/.exec((await page.textContent('#uploads li:first-child .message'))!)![1]!;
    const video = stack.simulator.videos.get(videoNo)!;
    expect(video.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    expect(video.videoName).toBe('phone clip.mp4');
    expect(stack.simulator.stats.uploadRequests).toBe(1);
    // Done: the fingerprint is forgotten, and the video is listed.
    expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('tus::')))).toEqual([]);
    await expect.poll(() => page.textContent(`tr[data-video-no="${videoNo}"]`)).toContain('phone clip.mp4');
    expect(failures).toEqual([]);
  }, 120_000);
});
