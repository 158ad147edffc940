/**
 * Signing in to the web app with DEV_IDENTITY_PROVIDER=on, as `npm start` on the
 * simulator runs it: the gateway as its own process, the development OpenID
 * provider beside it, and Chromium going through the provider's sign-in pages
 * (authorization code with PKCE). Two people who sign in as two names are two
 * users: each sees the videos they uploaded, and not the other's.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from '../../utils/browser.js';
import { startGatewayProcess, type GatewayProcess } from '../../utils/gateway-process.js';
import { MP4_HEADER } from '../../utils/multipart-client.js';

const built = existsSync(new URL('../../../dist/web/index.html', import.meta.url));
const hasChromium = requireChromium('sign-in.test.ts');
if (!built && process.env.CI) throw new Error('dist/web/ is not built (npm test builds it: npm run build:web)');

let gateway: GatewayProcess;
let url: string;
let browser: Browser;

beforeAll(async () => {
  if (!built || !hasChromium) return;
  // Tokens that live 20 s: the web app refreshes them halfway, while the test watches.
  gateway = startGatewayProcess({ DEV_IDENTITY_PROVIDER: 'on', DEV_IDENTITY_PROVIDER_TOKEN_SECONDS: '20' });
  url = await gateway.url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

/** A new browser (its own cookies and storage) signed in as `name` through the provider's pages. */
async function signedIn(name: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.click('#sign-in:not([hidden])');
  // The development provider's pages: any name and password sign in, then the consent is confirmed.
  await page.fill('input[name=login]', name);
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  await page.click('button[type=submit]');
  await page.waitForSelector('#sign-out:not([hidden])');
  expect(await page.textContent('#user-state')).toBe(`signed in as ${name}`);
  // The key form says nothing beside the account: no "open gateway: no key needed" to contradict it.
  expect(await page.isVisible('#key-form')).toBe(false);
  expect(await page.isVisible('#key-state')).toBe(false);
  return page;
}

async function upload(page: Page, name: string): Promise<string> {
  const bytes = Buffer.concat([MP4_HEADER, Buffer.alloc(16 * 1024, 1)]);
  await page.setInputFiles('#files', { name, mimeType: 'video/mp4', buffer: bytes });
  await expect
    .poll(() => page.textContent('#uploads li:first-child .message'), { timeout: 30_000 })
    .toMatch(/uploaded as \S+/);
  return /uploaded as (\S+)/.exec((await page.textContent('#uploads li:first-child .message'))!)![1]!;
}

describe.skipIf(!built || !hasChromium)('signing in to the web app (DEV_IDENTITY_PROVIDER=on)', () => {
  it('signs two people in as two users, each seeing only their own videos', async () => {
    const ana = await signedIn('ana');
    const anasVideo = await upload(ana, 'ana.mp4');
    await ana.waitForSelector(`tr[data-video-no="${anasVideo}"]`);

    const ben = await signedIn('ben');
    const bensVideo = await upload(ben, 'ben.mp4');
    await ben.waitForSelector(`tr[data-video-no="${bensVideo}"]`);
    await ben.click('#refresh');
    await ben.waitForSelector(`tr[data-video-no="${bensVideo}"]`);
    expect(await ben.locator(`tr[data-video-no="${anasVideo}"]`).count()).toBe(0);

    // GraphiQL opened in the same tab starts with the user's token in its Headers tab: its schema
    // request carries it.
    const introspection = ben.waitForRequest(
      (request) => request.method() === 'POST' && request.postData()?.includes('__schema') === true,
    );
    await ben.goto(`${url}/graphql`);
    const token = await ben.evaluate(
      () => (JSON.parse(sessionStorage.getItem('mavi-gateway.tokens')!) as { accessToken: string }).accessToken,
    );
    expect((await introspection).headers().authorization).toBe(`Bearer ${token}`);

    // Before its token expires, the web app has a fresh one from the provider, and goes on with it.
    const first = await ana.evaluate(() => sessionStorage.getItem('mavi-gateway.tokens'));
    await ana.waitForFunction((before) => sessionStorage.getItem('mavi-gateway.tokens') !== before, first, {
      timeout: 60_000,
    });
    await ana.click('#refresh');
    await ana.waitForSelector(`tr[data-video-no="${anasVideo}"]`);
    await expect.poll(() => ana.isHidden('#error')).toBe(true);

    // The token is the user's, kept for this tab only; signing out forgets it.
    expect(await ana.evaluate(() => localStorage.length)).toBe(0);
    await ana.click('#sign-out');
    await ana.waitForSelector('#sign-in:not([hidden])');
    expect(await ana.evaluate(() => sessionStorage.getItem('mavi-gateway.tokens'))).toBeNull();
    expect(gateway.output.join('')).not.toMatch(/eyJ[\w-]{2,}\.[\w-]{2,}\./);
  });
});
