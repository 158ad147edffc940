/**
 * The web app at `/`, built by `npm run build` (npm test builds it first) and
 * served by the gateway as static files, used in Chromium as a person would, at
 * desktop width and at phone width: keys checked, a refusal's message where it
 * happened, a file picked with a real <input type=file>, its progress bar moving,
 * an upload cancelled and tried again, its status going live to Ready over
 * graphql-ws, two files dropped at once, then search, clips, chat, both
 * transcripts, a delete that asks first, and a gateway out of reach.
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

/** The elements wider than the page or than the card they are in (none, when the layout holds). */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const wide: string[] = [];
    const viewport = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > viewport) wide.push(`page ${document.documentElement.scrollWidth}px`);
    for (const section of document.querySelectorAll('section')) {
      if (section.scrollWidth > section.clientWidth) wide.push(`#${section.id} ${section.scrollWidth}px`);
      for (const child of section.querySelectorAll<HTMLElement>('table, form, li, p, div')) {
        const box = child.getBoundingClientRect();
        if (box.width > 0 && box.right > section.getBoundingClientRect().right + 0.5)
          wide.push(`${child.tagName} in #${section.id}`);
      }
    }
    return wide;
  });
}

/** Where the walk's screenshots go: docs/ with UPDATE_SCREENSHOT=1 (the README's pictures), else a temporary folder. */
const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: process.env.UPDATE_SCREENSHOT ? `docs/${name}` : join(dir, name), fullPage: true });

const row = (videoNo: string) => `tr[data-video-no="${videoNo}"]`;

async function useKey(page: Page, key: string): Promise<void> {
  await page.fill('#key', key);
  await page.click('#key-form button[type=submit]');
}

/** Picks a file, and answers the videoNo its row ends with. */
async function uploadAndWait(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }) {
  await page.setInputFiles('#files', file);
  await expect
    .poll(() => page.textContent('#uploads li:first-child .message'), { timeout: 30_000 })
    .toMatch(/uploaded as \S+/);
  return /uploaded as (\S+)/.exec((await page.textContent('#uploads li:first-child .message'))!)![1]!;
}

describe.skipIf(!built || !hasChromium)('the web app in Chromium', () => {
  it('at desktop width: keys checked, uploads cancelled, retried and followed to Ready, search, chat, both transcripts, a confirmed delete, and a gateway that cannot be reached', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${stack.url}/`);

    // No key yet: the list says why it is empty, and the key field what the gateway wants.
    await expect.poll(() => page.textContent('#videos-state')).toContain('Could not load your videos');
    expect(await page.textContent('#videos-state')).toContain('(UNAUTHENTICATED)');
    expect(await page.textContent('#key-state')).toBe('this gateway needs a key');

    // A wrong key is called wrong; an upload with it is refused in its row, with a way to try again.
    await useKey(page, 'not-the-right-key-000');
    await expect.poll(() => page.textContent('#key-state')).toBe('key refused');
    await page.setInputFiles('#files', bigFile);
    await expect
      .poll(() => page.textContent('#uploads li .message.error'), { timeout: 20_000 })
      .toContain('A valid client key is required');
    expect(await page.textContent('#uploads li .message.error')).toContain('(UNAUTHENTICATED)');
    expect(await page.isVisible('#uploads li button:has-text("Try again")')).toBe(true);

    // The right key (kept for this tab only): accepted, and the refused upload, tried again, goes
    // through at a pace its progress bar can be seen at.
    await useKey(page, KEY);
    await expect.poll(() => page.textContent('#key-state')).toBe('key accepted (kept for this browser tab)');
    expect(await page.evaluate(() => sessionStorage.getItem('mavi-gateway.client-key'))).toBe(KEY);
    expect(await page.textContent('#videos-state')).toBe('No videos yet: upload one above.');
    await throttleUploads(page, 12 * 1024 * 1024);
    await page.click('#uploads li button:has-text("Try again")');
    await recordProgress(page);
    await expect
      .poll(() => page.textContent('#uploads li:first-child .message'), { timeout: 30_000 })
      .toMatch(/uploaded as \S+/);
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(seen.filter((value) => value > 0 && value < 1).length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toBe(1);
    const videoNo = /uploaded as (\S+)/.exec((await page.textContent('#uploads li:first-child .message'))!)![1]!;
    // Its status, live, in words; MAVI's code in the badge's title.
    await expect.poll(() => page.textContent(`${row(videoNo)} .status`), { timeout: 10_000 }).toBe('Ready');
    expect(await page.getAttribute(`${row(videoNo)} .status`, 'title')).toBe('MAVI status PARSE');
    expect(stack.simulator.videos.has(videoNo)).toBe(true);

    // Cancelled halfway: the gateway forgets the bytes, MAVI never hears of it; then tried again.
    await throttleUploads(page, 2 * 1024 * 1024);
    const videosAtMavi = stack.simulator.videos.size;
    await page.setInputFiles('#files', bigFile);
    await expect.poll(() => page.textContent('#uploads li:first-child .message')).toMatch(/sending… [1-9]/);
    await page.click('#uploads li:first-child button:has-text("Cancel")');
    await expect
      .poll(() => page.textContent('#uploads li:first-child .message'))
      .toBe('cancelled: the gateway removed what it had received');
    expect(stack.simulator.videos.size).toBe(videosAtMavi);
    await throttleUploads(page, undefined);
    await page.click('#uploads li:first-child button:has-text("Try again")');
    await expect
      .poll(() => page.textContent('#uploads li:first-child .message'), { timeout: 30_000 })
      .toMatch(/uploaded as \S+/);
    const again = /uploaded as (\S+)/.exec((await page.textContent('#uploads li:first-child .message'))!)![1]!;

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
    await expect.poll(() => page.locator('#videos tr').count()).toBe(4);
    // Finished uploads lose their bars, and can be cleared from the list.
    expect(await page.locator('#uploads li.finished progress').count()).toBe(0);
    await page.click('#clear-uploads');
    expect(await page.locator('#uploads li.finished').count()).toBe(0);
    expect(await page.isVisible('#clear-uploads')).toBe(false);

    // Search by the file's words. Asking with nothing ticked is answered where the question was asked.
    await page.fill('#search-query', 'beach dog');
    await page.click('#search-form button[value=videos]');
    await expect.poll(() => page.textContent('#search-results')).toContain(videoNo);
    expect(await page.isVisible('#search-state')).toBe(false);
    await page.fill('#chat-message', 'What happens here?');
    await page.click('#chat-form button[type=submit]');
    expect(await page.textContent('#chat-answer .error')).toBe('Tick the videos to ask about first.');
    // The question stays: ticking a video and pressing Ask sends it.
    expect(await page.inputValue('#chat-message')).toBe('What happens here?');
    await page.check(`${row(videoNo)} input.pick`);
    await page.click('#chat-form button[type=submit]');
    await expect.poll(() => page.textContent('#chat-answer'), { timeout: 10_000 }).toContain('Turn 1');

    // A search that finds nothing says so as its status, not as a result.
    await page.fill('#search-query', 'xylophone quartet');
    await page.click('#search-form button[value=videos]');
    await expect.poll(() => page.textContent('#search-state')).toBe('Nothing found.');
    expect(await page.locator('#search-results li').count()).toBe(0);
    await page.fill('#search-query', 'beach dog');

    // Find the moments, then both transcripts: what is said, and what is seen.
    await page.click('#search-form button[value=clips]');
    await expect.poll(() => page.textContent('#search-results')).toMatch(/dog on the beach\.mp4: 0–4 s/);
    await page.click(`${row(videoNo)} button:has-text("Scenes")`);
    await expect.poll(() => page.getAttribute('#transcript-state', 'data-state'), { timeout: 10_000 }).toBe('READY');
    expect(await page.textContent('#transcript-title')).toBe('What is seen in dog on the beach.mp4');
    expect(await page.textContent('#transcript')).toContain('Scene 1 of dog on the beach.mp4');
    await page.click(`${row(videoNo)} button:has-text("Speech")`);
    await expect.poll(() => page.textContent('#transcript'), { timeout: 10_000 }).toContain('Speech 1 of');
    expect(await page.textContent('#transcript-title')).toBe('What is said in dog on the beach.mp4');
    expect(await overflowing(page)).toEqual([]);
    await screenshot(page, 'web-app.png');

    // Delete asks first; keeping changes nothing. Deleted: gone from the list, from MAVI, and its
    // transcript from the screen.
    await page.click(`${row(videoNo)} button:has-text("Delete")`);
    expect(await page.textContent(`${row(videoNo)} .confirm`)).toBe('Delete dog on the beach.mp4?');
    await page.click(`${row(videoNo)} button:has-text("Keep")`);
    expect(stack.simulator.videos.has(videoNo)).toBe(true);
    await page.click(`${row(videoNo)} button:has-text("Delete")`);
    await page.click(`${row(videoNo)} button:has-text("Delete for good")`);
    await expect.poll(() => page.locator(row(videoNo)).count()).toBe(0);
    expect(stack.simulator.videos.has(videoNo)).toBe(false);
    expect(await page.isHidden('#transcript-panel')).toBe(true);
    expect(await page.locator(row(again)).count()).toBe(1);

    // The gateway out of reach: the list says so (not "No videos yet"), and so do searches.
    await page.route('**/graphql', (route) => route.abort('connectionrefused'));
    await page.click('#refresh');
    await expect.poll(() => page.textContent('#videos-state')).toContain('Could not load your videos');
    expect(await page.textContent('#videos-state')).toContain('Is the gateway running? (NETWORK_ERROR)');
    await page.click('#search-form button[value=videos]');
    await expect.poll(() => page.textContent('#search-state.error')).toContain('(NETWORK_ERROR)');
    await page.unroute('**/graphql');

    expect(failures).toEqual([]);
    await page.close();
  }, 120_000);

  it('at phone width (390 px): nothing overflows its card, and the same upload, status, transcript and delete work', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${stack.url}/`);
    await useKey(page, KEY);
    await expect.poll(() => page.textContent('#key-state')).toBe('key accepted (kept for this browser tab)');
    const name = 'a long file name from a phone camera 2026-12-04 08.15.42.mp4';
    const videoNo = await uploadAndWait(page, {
      name,
      mimeType: 'video/mp4',
      buffer: Buffer.concat([MP4_HEADER, Buffer.alloc(256 * 1024)]),
    });
    await expect.poll(() => page.textContent(`${row(videoNo)} .status`), { timeout: 10_000 }).toBe('Ready');
    await page.click(`${row(videoNo)} button:has-text("Scenes")`);
    await expect.poll(() => page.getAttribute('#transcript-state', 'data-state'), { timeout: 10_000 }).toBe('READY');
    // The panel opens below the fold at this width: it is scrolled into view, not left unseen.
    const panel = (await page.locator('#transcript-panel').boundingBox())!;
    expect(panel.y).toBeGreaterThanOrEqual(0);
    expect(panel.y).toBeLessThan(844);
    expect(await overflowing(page)).toEqual([]);
    await screenshot(page, 'web-app-phone.png');

    await page.click(`${row(videoNo)} button:has-text("Delete")`);
    expect(await overflowing(page)).toEqual([]);
    await page.click(`${row(videoNo)} button:has-text("Delete for good")`);
    await expect.poll(() => page.locator(row(videoNo)).count()).toBe(0);
    expect(await page.isHidden('#transcript-panel')).toBe(true);
    expect(failures).toEqual([]);
    await page.close();
  }, 60_000);
});
