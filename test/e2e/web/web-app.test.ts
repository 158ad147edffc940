/**
 * The web app at `/`, built by `npm run build` (npm test builds it first) and
 * served by the gateway as static files, used in Chromium as a person would:
 * a refusal's message, a file picked with a real <input type=file>, its
 * progress bar moving, its status going live to PARSE over graphql-ws, two
 * files dropped at once, then search, clips, chat, a transcript and delete.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium, throttleUploads } from '../../utils/browser.js';
import { collect, MP4_HEADER, videoFile } from '../../utils/multipart-client.js';
import { sendRaw } from '../../utils/raw-http.js';
import { startStack, type Stack } from '../../utils/stack.js';

const KEY = 'web-app-client-key-31c7a9';
const hasChromium = requireChromium('web-app.test.ts');
const built = existsSync(new URL('../../../dist/web/index.html', import.meta.url));
if (!built) {
  const why = 'dist/web/ is not built (npm test builds it: npm run build:web)';
  if (process.env.CI) throw new Error(`CI must run the web app test, but ${why}`);
  console.warn(`skipping the web app test: ${why}`);
}

let stack: Stack;
let browser: Browser;
let dir: string;
let bigFile: string;
beforeAll(async () => {
  if (!built) return;
  stack = await startStack({ simulator: { parseDelayMs: 1500 }, env: { GATEWAY_API_KEYS: KEY } });
  dir = await mkdtemp(join(tmpdir(), 'web-app-'));
  bigFile = join(dir, 'dog on the beach.mp4');
  await writeFile(bigFile, Buffer.concat([MP4_HEADER, await collect(videoFile(24 * 1024 * 1024))]));
  if (hasChromium) browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!built)('the web app as static files', () => {
  it('serves index.html revalidated on every visit and hashed assets cached for a year, gzipped', async () => {
    const page = await fetch(`${stack.url}/`, { headers: { 'accept-encoding': 'gzip' } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const etag = page.headers.get('etag')!;
    expect((await fetch(`${stack.url}/`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${stack.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(await asset.text()).toContain('graphql-transport-ws');

    expect((await fetch(`${stack.url}/assets/missing.js`)).status).toBe(404);
    // Paths a client library would normalise, sent byte for byte: nothing outside the built files.
    for (const path of [
      '/assets/../package.json',
      '/assets/%2e%2e/package.json',
      '/..%2f..%2fpackage.json',
      '//etc/passwd',
    ]) {
      const answer = await sendRaw(stack.url, { method: 'GET', path, headers: {}, body: [] }).response;
      expect({ path, status: answer?.status }).toEqual({ path, status: 404 });
      expect(answer?.body).not.toContain('"name": "mavi-graphql-gateway"');
    }
  });
});

/** Every value the first upload row's progress bar takes, recorded in the page as it changes. */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { progressSeen: number[] }).progressSeen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector<HTMLProgressElement>('#uploads li progress');
      if (bar && seen.at(-1) !== bar.value) seen.push(bar.value);
    }).observe(document.getElementById('uploads')!, { subtree: true, attributes: true, childList: true });
  });
}

describe.skipIf(!built || !hasChromium)('the web app in Chromium', () => {
  it('shows a refusal, uploads with a moving progress bar, follows the status live to PARSE, then searches, chats and deletes', async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${stack.url}/`);

    // No key yet: the gateway's refusal, readable.
    await expect.poll(() => page.textContent('#error')).toContain('(UNAUTHENTICATED)');

    // A wrong key: the upload is refused, and its row says why.
    await page.fill('#key', 'not-the-right-key-000');
    await page.click('#key-form button[type=submit]');
    await page.setInputFiles('#files', bigFile);
    await expect
      .poll(() => page.textContent('#uploads li .message.error'), { timeout: 20_000 })
      .toContain('A valid client key is required');
    expect(await page.textContent('#uploads li .message.error')).toContain('(UNAUTHENTICATED)');

    // The right key (kept for this tab only), and an upload at a pace the progress bar can be seen at.
    await page.fill('#key', KEY);
    await page.click('#key-form button[type=submit]');
    expect(await page.evaluate(() => sessionStorage.getItem('mavi-gateway.client-key'))).toBe(KEY);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await expect.poll(() => page.isHidden('#error')).toBe(true);
    await throttleUploads(page, 12 * 1024 * 1024);
    await recordProgress(page);
    await page.setInputFiles('#files', bigFile);
    await expect
      .poll(() => page.textContent('#uploads li:first-child .message'), { timeout: 30_000 })
      .toMatch(/uploaded as \S+/);
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.filter((value) => value > 0 && value < 1).length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toBe(1);
    await throttleUploads(page, undefined);

    const videoNo = /uploaded as (\S+)/.exec((await page.textContent('#uploads li:first-child .message'))!)![1]!;
    const badge = `tr[data-video-no="${videoNo}"] .status`;
    await expect.poll(() => page.textContent(badge), { timeout: 10_000 }).toBe('PARSE');
    expect(stack.simulator.videos.has(videoNo)).toBe(true);

    // Two files dropped at once: a row and an upload each.
    const dropped = await page.evaluateHandle(
      (header) => {
        const transfer = new DataTransfer();
        for (const name of ['first drop.mp4', 'second drop.mp4']) {
          const bytes = new Uint8Array(64 * 1024);
          bytes.set(header);
          transfer.items.add(new File([bytes], name, { type: 'video/mp4' }));
        }
        return transfer;
      },
      [...MP4_HEADER],
    );
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: dropped });
    for (const name of ['first drop.mp4', 'second drop.mp4']) {
      await expect
        .poll(() => page.textContent(`#uploads li[data-file="${name}"] .message`), { timeout: 10_000 })
        .toMatch(/uploaded as \S+/);
    }
    await expect.poll(() => page.locator('#videos tr').count()).toBe(3);

    // Search by the file's words, then chat about the ticked video.
    await page.fill('#search-query', 'beach dog');
    await page.click('#search-form button[value=videos]');
    const searchAnswer = async () => `${await page.textContent('#search-results')} ${await page.textContent('#error')}`;
    await expect.poll(searchAnswer).toContain(videoNo);
    await page.check(`tr[data-video-no="${videoNo}"] input.pick`);
    await page.fill('#chat-message', 'What happens here?');
    await page.click('#chat-form button[type=submit]');
    await expect.poll(() => page.textContent('#chat-answer'), { timeout: 10_000 }).toContain('Turn 1');

    // Find the moments, then the transcript.
    await page.click('#search-form button[value=clips]');
    await expect.poll(searchAnswer).toMatch(/dog on the beach\.mp4: 0–4 s/);
    await page.click(`tr[data-video-no="${videoNo}"] button:has-text("Transcript")`);
    await expect.poll(() => page.textContent('#transcript-title'), { timeout: 10_000 }).toContain('(READY)');
    expect(await page.locator('#transcript li').count()).toBeGreaterThan(0);

    // The README's picture of the app (UPDATE_SCREENSHOT=1 npx vitest run test/e2e/web/web-app.test.ts).
    if (process.env.UPDATE_SCREENSHOT) await page.screenshot({ path: 'docs/web-app.png', fullPage: true });

    // Delete: gone from the list, and from MAVI.
    await page.click(`tr[data-video-no="${videoNo}"] button:has-text("Delete")`);
    await expect.poll(() => page.locator(`tr[data-video-no="${videoNo}"]`).count()).toBe(0);
    expect(stack.simulator.videos.has(videoNo)).toBe(false);

    expect(failures).toEqual([]);
    await page.close();
  }, 90_000);
});
