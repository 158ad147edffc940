/** The variables that hold lists: client keys and CORS origins. */
import type { Report } from './variable.js';

/** A client's name: what may stand before the colon in `name:key` (and is used as MAVI's unique_id). */
const CLIENT_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export interface ClientKey {
  key: string;
  name?: string;
}

/**
 * GATEWAY_API_KEYS (and GATEWAY_SERVICE_KEYS): comma-separated entries, each `name:key` when what
 * precedes the first colon is a name, else a bare key.
 */
export function readClientKeys(raw: string, report: Report, variable: string): ClientKey[] {
  const keys = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(parseClientKey);
  // Never quote a key: the problem is logged.
  if (keys.some(({ key }) => key.length < 16)) report(`${variable}: every key must be at least 16 characters long`);
  const names = keys.flatMap(({ name }) => (name ? [name] : []));
  if (new Set(names).size !== names.length) report(`${variable}: every name may be used once`);
  return keys;
}

function parseClientKey(entry: string): ClientKey {
  const colon = entry.indexOf(':');
  const name = colon > 0 ? entry.slice(0, colon) : undefined;
  return name !== undefined && CLIENT_NAME_PATTERN.test(name) ? { name, key: entry.slice(colon + 1) } : { key: entry };
}

/**
 * CORS_ORIGINS: `*` (the default: keys are headers, not cookies, so any origin may call with a
 * key it holds) or a comma-separated list of origins such as `https://app.example.com`, each a
 * scheme, host and optional port.
 */
export function readCorsOrigins(raw: string, report: Report): '*' | readonly string[] {
  if (raw === '*') return '*';
  const origins = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const origin of origins.filter((origin) => !isOrigin(origin))) {
    report(`CORS_ORIGINS: "${origin}" is not an origin (like https://app.example.com, no path or trailing slash)`);
  }
  if (origins.length === 0) report('CORS_ORIGINS must be * or a comma-separated list of origins');
  return origins;
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}
