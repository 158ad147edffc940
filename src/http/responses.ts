/**
 * Answers written straight to node:http, for what is answered outside Yoga: the
 * health route, the webhook route, and requests refused before Yoga reads them.
 * Every error carries a code from the registry, with its HTTP status.
 */
import type { ServerResponse } from 'node:http';
import { errorRegistry, httpStatusOf, type ErrorCode } from '../errors.js';

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

/** The error shape of every non-GraphQL route: `{ error: { code, message } }`. */
export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string = errorRegistry[code].message,
  headers: Record<string, string> = {},
): void {
  sendJson(res, httpStatusOf(code), { error: { code, message } }, headers);
}

/** A /graphql request refused before Yoga runs, in the GraphQL-over-HTTP error shape that Yoga itself uses. */
export function sendGraphQLError(
  res: ServerResponse,
  code: ErrorCode,
  message: string = errorRegistry[code].message,
  headers: Record<string, string> = {},
): void {
  const retryable = errorRegistry[code].retryable;
  sendJson(res, httpStatusOf(code), { errors: [{ message, extensions: { code, retryable } }] }, headers);
}
