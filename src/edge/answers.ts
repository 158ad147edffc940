/**
 * Answers written straight to node:http, for what the edge answers itself: the
 * health and metrics routes, the webhook route, and requests refused before
 * Yoga reads them. A refusal (errors.ts) is written in the shape its route's
 * clients read: GraphQL-over-HTTP on /graphql, `{ error: { code, message } }`
 * elsewhere.
 */
import type { ServerResponse } from 'node:http';
import { errorRegistry, httpStatusOf, refusalHeaders, routeRefusalBody, type Refusal } from '../errors.js';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(payload);
}

/** Which shape a refusal is written in: the GraphQL endpoint's, or the plain routes'. */
export type AnswerShape = 'graphql' | 'route';

/** Writes a refusal with its status and headers (Retry-After, WWW-Authenticate), and any `extraHeaders`. */
export function sendRefusal(
  res: ServerResponse,
  refused: Refusal,
  shape: AnswerShape,
  extraHeaders: Record<string, string> = {},
): void {
  const { code, message } = refused;
  const retryAfter = refused.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: refused.retryAfterSeconds };
  const body =
    shape === 'graphql'
      ? { errors: [{ message, extensions: { code, retryable: errorRegistry[code].retryable, ...retryAfter } }] }
      : routeRefusalBody(refused);
  sendJson(res, httpStatusOf(code), body, { ...refusalHeaders(refused), ...extraHeaders });
}
