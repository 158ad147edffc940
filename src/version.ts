/**
 * The gateway's version (semver, package.json's): in the start banner, in /health's answer and in
 * the mavi_gateway_build_info metric, so an operator sees which release runs. package.json sits one
 * folder above this file both in the sources (src/) and in the build (dist/, and /app in the image).
 */
import { readFileSync } from 'node:fs';

export const GATEWAY_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
