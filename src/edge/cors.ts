/**
 * One CORS policy for every answer. Yoga applies it to what it answers (GraphQL,
 * GraphiQL, /ready, preflights); the gateway's own answers (refusals before
 * Yoga, webhooks, /health, /metrics, the web app) get the same headers from the
 * same function (@whatwg-node/server's, which Yoga uses), so a cross-origin
 * browser app can read every refusal, not only Yoga's.
 *
 * Keys travel in the Authorization header, never in cookies: credentials are
 * not allowed, and allowing any origin (the default) lends no one a browser's
 * ambient authority.
 */
import type { IncomingMessage } from 'node:http';
import { getCORSHeadersByRequestAndOptions, type CORSOptions } from '@whatwg-node/server';

/** The request headers the README tells clients to send (answered to every preflight). */
const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-graphql-yoga-csrf',
  'x-request-id',
  'traceparent',
];

/** The answer headers a browser app may read: the request id, when to retry, how to authenticate. */
const EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'www-authenticate'];

/** CORS_ORIGINS: `*` (any origin) or a list of origins. */
export function corsOptions(origins: '*' | readonly string[]): CORSOptions {
  return {
    origin: origins === '*' ? '*' : [...origins],
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  };
}

/** The CORS headers for a request answered outside Yoga (none when it has no Origin). */
export function corsHeadersFor(req: IncomingMessage, options: CORSOptions): Record<string, string> {
  const asRequest = {
    headers: { get: (name: string) => headerValue(req.headers[name.toLowerCase()]) },
  } as unknown as Request;
  return getCORSHeadersByRequestAndOptions(asRequest, options) ?? {};
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
