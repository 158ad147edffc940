/** Debian's Chromium, launched the way this machine allows (test tools' own browser downloads fail here). */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether the browser tests can run; says why not, and fails under CI (.ci/run installs it). */
export function requireChromium(file: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${file}: CI must run the browser tests, but ${CHROMIUM} is missing`);
  console.warn(`skipping ${file}: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/**
 * Limits the page's upload rate (Chromium's network emulation, over CDP), so
 * that upload progress has time to be seen; `undefined` lifts the limit.
 */
export async function throttleUploads(page: Page, bytesPerSecond: number | undefined): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond ?? -1,
  });
}
