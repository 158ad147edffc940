/**
 * `POST /webhooks/mavi/<token>`: MAVI's status callbacks. The token is checked
 * before the body is read, the body before anything is stored, and only a
 * genuine callback for the token's own upload changes state or emits an event.
 * Every refusal is a 4xx whose message names the problem; MAVI gets its 2xx as
 * soon as the status is stored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallbackTokens } from '../auth/callback-tokens.js';
import { StoreUnavailableError, type ErrorCode } from '../errors.js';
import { BodyTooLargeError, readSmallBody } from '../http/read-body.js';
import { sendError, sendJson } from '../http/responses.js';
import { acceptBody, answerUnreadBody } from '../http/unread-body.js';
import type { Logger } from '../logger.js';
import { normalizeStatus } from '../mavi/types.js';
import type { StatusService } from '../status/status-service.js';
import { CallbackInputError, parseCallback } from './parse-callback.js';

export const WEBHOOK_PATH_PREFIX = '/webhooks/mavi/';
/** Transcription callbacks (the original family's tasks), with tokens of their own kind. */
export const TRANSCRIPT_WEBHOOK_PATH_PREFIX = `${WEBHOOK_PATH_PREFIX}transcripts/`;

/** MAVI's callback is under 200 bytes; anything near this is not one. */
const MAX_CALLBACK_BYTES = 16 * 1024;
/** A transcription callback carries the whole transcript (hours of speech fit). */
const MAX_TRANSCRIPT_CALLBACK_BYTES = 4 * 1024 * 1024;

/** What becomes of a transcription callback (videos/transcripts.ts answers it). */
interface TranscriptCallbacks {
  tokens: CallbackTokens;
  acceptCallback(
    taskId: string,
    body: unknown,
  ): Promise<
    | { kind: 'unknown-task' }
    | { kind: 'wrong-video' }
    | { kind: 'invalid'; reason: string }
    | { kind: 'applied'; changed: boolean }
  >;
}

export interface WebhookDeps {
  /**
   * Takes a turn from the failure budget of a source address: undefined when it
   * has budget left, else the seconds until it has. Only requests that fail before
   * their token is found genuine spend it: a genuine token is never refused for
   * its source's failures (MAVI may share an address with anyone).
   */
  takeFailureTurn: (source: string) => Promise<number | undefined>;
  /** Counts each callback by kind and outcome. */
  count: (kind: 'status' | 'transcript', outcome: string) => void;
  tokens: CallbackTokens;
  transcripts: TranscriptCallbacks;
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

/** The URL MAVI is given for one transcription task's callback. */
export function transcriptCallbackUrl(publicUrl: string, token: string): string {
  return `${publicUrl}${TRANSCRIPT_WEBHOOK_PATH_PREFIX}${token}`;
}

export async function handleWebhook(
  deps: WebhookDeps,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const forTranscript = pathname.startsWith(TRANSCRIPT_WEBHOOK_PATH_PREFIX);
  const kind = forTranscript ? 'transcript' : 'status';
  // An early refusal leaves the body unread: see http/unread-body.ts.
  const refuse = (code: ErrorCode, message?: string, headers: Record<string, string> = {}) => {
    deps.count(kind, code);
    answerUnreadBody(req, res, (extra) => sendError(res, code, message, { ...headers, ...extra }));
  };

  // A request that fails before its token is found genuine spends its source's failure budget;
  // past it, the source gets 429 for such requests (a flood of forgeries costs one HMAC each).
  const refuseUnproven = async (code: ErrorCode, headers: Record<string, string> = {}) => {
    const waitSeconds = await deps.takeFailureTurn(req.socket.remoteAddress ?? 'unknown').catch(() => undefined);
    if (waitSeconds !== undefined) {
      return refuse('CALLBACK_SOURCE_LIMITED', undefined, { 'retry-after': String(waitSeconds) });
    }
    return refuse(code, undefined, headers);
  };

  if (req.method !== 'POST') return refuseUnproven('METHOD_NOT_ALLOWED', { allow: 'POST' });
  const prefix = forTranscript ? TRANSCRIPT_WEBHOOK_PATH_PREFIX : WEBHOOK_PATH_PREFIX;
  // Tokens are base64url: taken as they stand, never %-decoded (a bad escape is just a wrong token).
  const token = pathname.slice(prefix.length);
  if (token === '' || pathname.length < prefix.length) return refuseUnproven('CALLBACK_TOKEN_MISSING');
  const uploadId = (forTranscript ? deps.transcripts.tokens : deps.tokens).verify(token);
  if (uploadId === undefined) return refuseUnproven('CALLBACK_TOKEN_INVALID');

  const maxBytes = forTranscript ? MAX_TRANSCRIPT_CALLBACK_BYTES : MAX_CALLBACK_BYTES;
  let text: string;
  acceptBody(req, res);
  try {
    text = await readSmallBody(req, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return refuse('CALLBACK_TOO_LARGE', `The callback body exceeds ${maxBytes} bytes.`);
    }
    throw error;
  }

  if (forTranscript) return handleTranscriptCallback(deps, uploadId, text, refuse, res);

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
    if (!(error instanceof StoreUnavailableError)) throw error; // a bug is not the store being away
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
      deps.count(kind, 'held');
      return sendJson(res, 202, { accepted: true, applied: false });
    case 'applied':
      deps.count(kind, outcome.change !== undefined ? 'applied' : 'duplicate');
      return sendJson(res, 200, { accepted: true, applied: outcome.change !== undefined });
  }
}

async function handleTranscriptCallback(
  deps: WebhookDeps,
  taskId: string,
  text: string,
  refuse: (code: ErrorCode, message?: string, headers?: Record<string, string>) => void,
  res: ServerResponse,
): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return refuse('CALLBACK_INVALID', 'The body is not valid JSON.');
  }
  let outcome;
  try {
    outcome = await deps.transcripts.acceptCallback(taskId, body);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    deps.logger.warn('could not store a transcription callback', { error });
    return refuse('STORE_UNAVAILABLE', undefined, { 'retry-after': '5' });
  }
  switch (outcome.kind) {
    case 'invalid':
      return refuse('CALLBACK_INVALID', outcome.reason);
    case 'unknown-task':
      return refuse(
        'CALLBACK_UPLOAD_UNKNOWN',
        "The callback token's transcription task is not known (it failed or expired).",
      );
    case 'wrong-video':
      return refuse(
        'CALLBACK_VIDEO_MISMATCH',
        'The callback token was issued for a transcription of a different video.',
      );
    case 'applied':
      deps.count('transcript', outcome.changed ? 'applied' : 'duplicate');
      return sendJson(res, 200, { accepted: true, applied: outcome.changed });
  }
}
