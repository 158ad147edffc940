/**
 * GraphiQL in a real browser (Debian's Chromium via playwright-core), on a
 * gateway with client keys, as a user meets it: the schema loads before any key
 * is typed (introspection needs none), and a subscription run with the key from
 * the Headers tab receives MAVI's callbacks (over SSE, which carries headers).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from '../../utils/browser.js';
import { collect, uploadVideo, videoFile } from '../../utils/multipart-client.js';
import { startStack, type Stack } from '../../utils/stack.js';

const hasChromium = requireChromium('graphiql-browser.test.ts');

const KEY = 'graphiql-browser-key-9d1c';

let stack: Stack;
let browser: Browser;
beforeAll(async () => {
  if (!hasChromium) return;
  stack = await startStack({ simulator: { manualCallbacks: true }, env: { GATEWAY_API_KEYS: KEY } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Replaces the Headers tab's text (a Monaco editor) as a user would: select all, then type. */
async function typeHeaders(page: Page, headers: Record<string, string>): Promise<void> {
  const editor = page.locator('.monaco-editor[data-uri$="headers.json"]');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // insertText: Monaco's auto-closing of quotes and braces would double what a key press types.
  await page.keyboard.insertText(JSON.stringify(headers));
}

const resultText = (page: Page) => page.evaluate(() => document.querySelector('.result-window')?.textContent ?? '');

describe.skipIf(!hasChromium)('GraphiQL in a browser, on a gateway with keys', () => {
  it('loads the schema without a key, and runs a subscription with the key from the Headers tab', async () => {
    const upload = await uploadVideo(stack.graphqlUrl, {
      content: await collect(videoFile(4096)),
      headers: { authorization: `Bearer ${KEY}` },
    });
    const { videoNo } = upload.json.data.uploadVideo;
    const query = `subscription { videoStatus(videoNo: "${videoNo}") { videoNo status } }`;

    const page = await browser.newPage();
    const requests: { accept: string; authorization: string | undefined }[] = [];
    page.on('request', (request) => {
      const headers = request.headers();
      requests.push({ accept: headers.accept ?? '', authorization: headers.authorization });
    });
    const introspection = page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' && response.request().postData()?.includes('__schema') === true,
    );
    await page.goto(`${stack.graphqlUrl}?query=${encodeURIComponent(query)}`);
    // The schema's introspection, sent before any key was typed (the Headers tab holds a placeholder), is answered.
    const schemaAnswer = await introspection;
    expect(schemaAnswer.status()).toBe(200);
    expect(schemaAnswer.request().headers().authorization).toBe('Bearer <your client key>');
    expect(JSON.stringify(await schemaAnswer.json())).toContain('"videoStatus"');

    // Without the key, the operation is refused, and GraphiQL shows why.
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() =>
      document.querySelector('.result-window')?.textContent?.includes('UNAUTHENTICATED'),
    );

    await typeHeaders(page, { Authorization: `Bearer ${KEY}` });
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('UNPARSE'));
    await stack.simulator.sendCallback(videoNo, 'PARSE');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('"PARSE"'));
    expect(await resultText(page)).not.toContain('UNAUTHENTICATED');

    // The subscription went over SSE, with the key: the same request a query makes.
    const subscription = requests.filter((request) => request.accept.includes('text/event-stream')).at(-1);
    expect(subscription?.authorization).toBe(`Bearer ${KEY}`);
    await page.close();
  });
});
