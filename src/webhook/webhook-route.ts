/**
 * `POST /webhooks/mavi/<token>`: MAVI's status callbacks. The token is checked
 * before the body is read, the body before anything is stored, and only a
 * genuine callback for the token's own upload changes state or emits an event.
 * Every refusal is a 4xx whose message names the problem; MAVI gets its 2xx as
 * soon as the status is stored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readSmallBody } from '../server/read-body.js';
import { sendError, sendJson } from '../server/http-responses.js';
import type { GatewayServices } from '../services.js';
import { WEBHOOK_PATH_PREFIX } from './callback-token.js';
import { CallbackInputError, parseCallback } from './parse-callback.js';

/** MAVI's callback is under 200 bytes; anything near this is not one. */
export const MAX_CALLBACK_BYTES = 16 * 1024;

export function isWebhookPath(pathname: string): boolean {
  return pathname === WEBHOOK_PATH_PREFIX.slice(0, -1) || pathname.startsWith(WEBHOOK_PATH_PREFIX);
}

export async function handleWebhook(
  services: GatewayServices,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  // An early refusal leaves the body unread: close the connection instead of draining it.
  const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    sendError(res, status, code, message, req.readableEnded ? headers : { ...headers, connection: 'close' });

  if (req.method !== 'POST') {
    return refuse(405, 'METHOD_NOT_ALLOWED', 'Callbacks must be sent with POST.', { allow: 'POST' });
  }
  // Tokens are base64url: taken as they stand, never %-decoded (a bad escape is just a wrong token).
  const token = pathname.slice(WEBHOOK_PATH_PREFIX.length);
  if (token === '' || pathname.length < WEBHOOK_PATH_PREFIX.length) {
    return refuse(401, 'CALLBACK_TOKEN_MISSING', 'The callback URL has no token.');
  }
  const uploadId = services.tokens.verify(token);
  if (uploadId === undefined) {
    return refuse(403, 'CALLBACK_TOKEN_INVALID', 'The callback token is malformed or was not issued by this gateway.');
  }

  let text: string;
  try {
    text = await readSmallBody(req, MAX_CALLBACK_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return refuse(413, 'CALLBACK_TOO_LARGE', `The callback body exceeds ${MAX_CALLBACK_BYTES} bytes.`);
    }
    throw error;
  }

  let callback;
  try {
    callback = parseCallback(text);
  } catch (error) {
    if (error instanceof CallbackInputError) return refuse(400, 'CALLBACK_INVALID', error.message);
    throw error;
  }

  // Refuse rather than accept and drop: MAVI may retry, and polling heals the rest.
  const refuseStoreUnavailable = () =>
    refuse(503, 'STORE_UNAVAILABLE', 'The status store is unavailable; try again later.', { 'retry-after': '5' });
  if (!services.store.isReady()) return refuseStoreUnavailable();

  let outcome;
  try {
    outcome = await services.store.applyCallback(uploadId, callback.videoNo, callback.status, Date.now());
  } catch (error) {
    services.logger.warn('could not store a callback', { error, videoNo: callback.videoNo });
    return refuseStoreUnavailable();
  }
  switch (outcome.kind) {
    case 'unknown-upload':
      return refuse(404, 'CALLBACK_UPLOAD_UNKNOWN', "The callback token's upload is not known (it failed or expired).");
    case 'wrong-video':
      services.logger.warn("refused a callback for another upload's video", {
        videoNo: callback.videoNo,
        expectedVideoNo: outcome.expectedVideoNo,
      });
      return refuse(403, 'CALLBACK_VIDEO_MISMATCH', 'The callback token was issued for a different video.');
    case 'held':
      return sendJson(res, 202, { accepted: true, applied: false });
    case 'applied':
      if (outcome.change) services.events.publish(outcome.change);
      return sendJson(res, 200, { accepted: true, applied: outcome.change !== undefined });
  }
}
