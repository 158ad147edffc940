/**
 * GraphiQL in a real browser (Debian's Chromium via playwright-core): a
 * subscription started there receives MAVI's callback over the websocket.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, uploadVideo, videoFile } from './utils/multipart-client.js';
import { startStack, type Stack } from './utils/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  // .ci/run installs it; on a developer machine without it, say why this file is skipped.
  console.warn(`skipping the GraphiQL browser test: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  if (process.env.CI) throw new Error(`CI must run the browser test, but ${CHROMIUM} is missing`);
}

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  if (!hasChromium) return;
  stack = await startStack({ simulator: { manualCallbacks: true } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe.skipIf(!hasChromium)('GraphiQL in a browser', () => {
  it('runs a videoStatus subscription over the websocket and shows the callback', async () => {
    const upload = await uploadVideo(stack.graphqlUrl, { content: await collect(videoFile(4096)) });
    const { videoNo } = upload.json.data.uploadVideo;
    const query = `subscription { videoStatus(videoNo: "${videoNo}") { videoNo status } }`;

    const page = await browser.newPage();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${stack.graphqlUrl}?query=${encodeURIComponent(query)}`);
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('UNPARSE'));

    await stack.simulator.sendCallback(videoNo, 'PARSE');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('"PARSE"'));
    expect(sockets).toEqual([stack.wsUrl]);
  });
});
