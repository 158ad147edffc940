/**
 * The web app's pictures and live video, in Chromium, on the successor family: "find this
 * moment" takes a picture and a question over the ticked videos, and the live panel starts an
 * analysis of an RTMP stream, shows its results as they come, and stops it.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from '../../utils/browser.js';
import { MP4_HEADER, PICTURES } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';
import { uploadSmallVideo } from '../../utils/two-clients.js';

const KEY = 'web-app-pictures-key-7f1e2d';
const hasChromium = requireChromium('web-app-pictures.test.ts');
const built = existsSync(new URL('../../../dist/web/index.html', import.meta.url));

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  if (!built || !hasChromium) return;
  stack = await startStack({
    simulator: { family: 'v1', liveResultIntervalMs: 100, parseDelayMs: 10 },
    env: { GATEWAY_API_KEYS: KEY },
    gateway: { resolveHost: async (host) => (host === 'cam.example.com' ? ['93.184.216.34'] : []) },
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe.skipIf(!built || !hasChromium)('pictures and live video in the web app', () => {
  it('finds the moments a picture shows in the ticked videos, and follows a live stream until it is stopped', async () => {
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, { authorization: `Bearer ${KEY}` });
    const page = await browser.newPage({ viewport: { width: 390, height: 900 } });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${stack.url}/`);
    await page.fill('#key', KEY);
    await page.click('#key-form button[type=submit]');
    await page.waitForSelector(`tr[data-video-no="${videoNo}"]`);

    // Nothing ticked: the page says what to do, and nothing is sent.
    await page.setInputFiles('#moment-picture', { name: 'jacket.png', mimeType: 'image/png', buffer: PICTURES.png() });
    await page.fill('#moment-question', 'Where does this jacket appear?');
    await page.click('#moment-form button[type=submit]');
    await expect.poll(() => page.textContent('#moment-state')).toBe('Tick the videos to look in first.');
    expect(stack.simulator.pictures.clipSearches).toEqual([]);

    await page.check(`tr[data-video-no="${videoNo}"] input.pick`);
    await page.click('#moment-form button[type=submit]');
    await expect.poll(() => page.textContent('#moment-results li:first-child')).toMatch(/^clip\.mp4: 1\.5–3 s \(score/);
    expect(stack.simulator.pictures.clipSearches).toEqual([videoNo]);

    // A video passed off as a picture: the gateway's refusal, where it was asked.
    await page.setInputFiles('#moment-picture', { name: 'fake.png', mimeType: 'image/png', buffer: MP4_HEADER });
    await page.click('#moment-form button[type=submit]');
    await expect.poll(() => page.textContent('#moment-state')).toContain('(UNSUPPORTED_MEDIA_TYPE)');

    await page.fill('#live-url', 'rtmp://cam.example.com/live/door');
    await page.fill('#live-prompt', 'Tell me when someone is at the door');
    await page.click('#live-start');
    await expect.poll(() => page.locator('#live-results li').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.textContent('#live-results li:first-child')).toMatch(/Result \d+: a person is at the door/);
    await page.click('#live-stop');
    await expect.poll(() => page.textContent('#live-state')).toBe('Stopped (STOPPED_BY_OWNER).');
    expect(await page.isVisible('#live-stop')).toBe(false);
    expect([...stack.simulator.pictures.liveTasks.values()].every((task) => !task.running)).toBe(true);

    // A stream URL that is not RTMP: refused with the gateway's words.
    await page.fill('#live-url', 'http://cam.example.com/live');
    await page.click('#live-start');
    await expect.poll(() => page.textContent('#live-state')).toContain('(STREAM_URL_REFUSED)');
    expect(failures).toEqual([]);
  });
});
