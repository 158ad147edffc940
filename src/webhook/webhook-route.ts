/**
 * `POST /webhooks/mavi/<token>`: MAVI's status callbacks. The token is checked
 * before the body is read, the body before anything is stored, and only a
 * genuine callback for the token's own upload changes state or emits an event.
 * Every refusal is a 4xx whose message names the problem; MAVI gets its 2xx as
 * soon as the status is stored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallbackTokens } from '../auth/callback-tokens.js';
import type { ErrorCode } from '../errors.js';
import { BodyTooLargeError, readSmallBody } from '../http/read-body.js';
import { sendError, sendJson } from '../http/responses.js';
import type { Logger } from '../logger.js';
import { normalizeStatus } from '../mavi/types.js';
import type { StatusService } from '../status/status-service.js';
import { CallbackInputError, parseCallback } from './parse-callback.js';

export const WEBHOOK_PATH_PREFIX = '/webhooks/mavi/';

/** MAVI's callback is under 200 bytes; anything near this is not one. */
const MAX_CALLBACK_BYTES = 16 * 1024;

export interface WebhookDeps {
  tokens: CallbackTokens;
  status: StatusService;
  logger: Logger;
  /** Told about a status spelling the gateway does not know (it counts as still processing). */
  onUnknownStatus: (status: string) => void;
}

export function isWebhookPath(pathname: string): boolean {
  return pathname === WEBHOOK_PATH_PREFIX.slice(0, -1) || pathname.startsWith(WEBHOOK_PATH_PREFIX);
}

/** The URL MAVI is given for one upload's callbacks. */
export function callbackUrl(publicUrl: string, token: string): string {
  return `${publicUrl}${WEBHOOK_PATH_PREFIX}${token}`;
}

export async function handleWebhook(
  deps: WebhookDeps,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  // An early refusal leaves the body unread: close the connection instead of draining it.
  const refuse = (code: ErrorCode, message?: string, headers: Record<string, string> = {}) =>
    sendError(res, code, message, req.readableEnded ? headers : { ...headers, connection: 'close' });

  if (req.method !== 'POST') return refuse('METHOD_NOT_ALLOWED', undefined, { allow: 'POST' });
  // Tokens are base64url: taken as they stand, never %-decoded (a bad escape is just a wrong token).
  const token = pathname.slice(WEBHOOK_PATH_PREFIX.length);
  if (token === '' || pathname.length < WEBHOOK_PATH_PREFIX.length) return refuse('CALLBACK_TOKEN_MISSING');
  const uploadId = deps.tokens.verify(token);
  if (uploadId === undefined) return refuse('CALLBACK_TOKEN_INVALID');

  let text: string;
  try {
    text = await readSmallBody(req, MAX_CALLBACK_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return refuse('CALLBACK_TOO_LARGE', `The callback body exceeds ${MAX_CALLBACK_BYTES} bytes.`);
    }
    throw error;
  }

  let callback;
  try {
    callback = parseCallback(text);
  } catch (error) {
    if (error instanceof CallbackInputError) return refuse('CALLBACK_INVALID', error.message);
    throw error;
  }

  // Refuse rather than accept and drop: MAVI may retry, and polling heals the rest.
  const storeUnavailable = () => refuse('STORE_UNAVAILABLE', undefined, { 'retry-after': '5' });
  if (!deps.status.isReady()) return storeUnavailable();

  // FAILED and PARSE_ERROR are FAIL; an unknown spelling counts as still processing, which changes nothing.
  const { status, known } = normalizeStatus(callback.status);
  if (!known) deps.onUnknownStatus(callback.status);

  let outcome;
  try {
    outcome = await deps.status.applyCallback(uploadId, callback.videoNo, status, Date.now());
  } catch (error) {
    deps.logger.warn('could not store a callback', { error, videoNo: callback.videoNo });
    return storeUnavailable();
  }
  switch (outcome.kind) {
    case 'unknown-upload':
      return refuse('CALLBACK_UPLOAD_UNKNOWN');
    case 'wrong-video':
      deps.logger.warn("refused a callback for another upload's video", {
        videoNo: callback.videoNo,
        expectedVideoNo: outcome.expectedVideoNo,
      });
      return refuse('CALLBACK_VIDEO_MISMATCH');
    case 'held':
      return sendJson(res, 202, { accepted: true, applied: false });
    case 'applied':
      return sendJson(res, 200, { accepted: true, applied: outcome.change !== undefined });
  }
}
