/** Debian's Chromium, launched the way this machine allows (test tools' own browser downloads fail here). */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
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
