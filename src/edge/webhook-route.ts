/**
 * `POST /webhooks/mavi/<token>`: MAVI's status callbacks. The token is checked
 * before the body is read, the body before anything is stored, and only a
 * genuine callback for the token's own upload changes state or emits an event.
 * Every refusal is a 4xx whose message names the problem; MAVI gets its 2xx as
 * soon as the status is stored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { CallbackTokens } from '../auth/callback-tokens.js';
import { refusal, StoreUnavailableError, type ErrorCode, type Refusal } from '../errors.js';
import { takeTurn } from '../limits/turns.js';
import type { Logger } from '../logger.js';
import { CallbackInputError, parseCallback } from '../mavi/callback-body.js';
import { normalizeStatus } from '../mavi/types.js';
import type { StatusService } from '../status/status-service.js';
import type { Transcripts } from '../videos/transcripts.js';
import type { LiveAnalyses } from '../live/live-analyses.js';
import { sendJson, sendRefusal } from './answers.js';
import { LIVE_WEBHOOK_PATH_PREFIX, TRANSCRIPT_WEBHOOK_PATH_PREFIX, WEBHOOK_PATH_PREFIX } from './paths.js';
import { BodyTooLargeError, type RequestBody } from './request-body.js';

/** MAVI's callback is under 200 bytes; anything near this is not one. */
const MAX_CALLBACK_BYTES = 16 * 1024;
/** A transcription callback carries the whole transcript (hours of speech fit). */
const MAX_TRANSCRIPT_CALLBACK_BYTES = 4 * 1024 * 1024;

export interface WebhookDeps {
  /**
   * The failure budget of each source address. Only requests that fail before
   * their token is found genuine spend it: a genuine token is never refused for
   * its source's failures (MAVI may share an address with anyone).
   */
  failureBudget: RateLimiterAbstract;
  /** Counts each callback by kind and outcome. */
  count: (kind: CallbackKind, outcome: string) => void;
  tokens: CallbackTokens;
  transcriptTokens: CallbackTokens;
  transcripts: Pick<Transcripts, 'acceptCallback'>;
  liveTokens: CallbackTokens;
  /** Live analyses' results; undefined when the MAVI family offers no live streams. */
  live: Pick<LiveAnalyses, 'acceptResult'> | undefined;
  /** The largest live result body taken (LIVE_RESULT_MAX_BYTES). */
  maxLiveResultBytes: number;
  status: StatusService;
  logger: Logger;
  /** Told about a status spelling the gateway does not know (it counts as still processing). */
  onUnknownStatus: (status: string) => void;
}

type Refuse = (code: ErrorCode, message?: string, retryAfterSeconds?: number) => void;

type CallbackKind = 'status' | 'transcript' | 'live';

/** Which callback a path is for, its prefix, and its tokens' verifier. */
function callbackKindOf(
  deps: WebhookDeps,
  pathname: string,
): { kind: CallbackKind; prefix: string; tokens: CallbackTokens } {
  if (pathname.startsWith(TRANSCRIPT_WEBHOOK_PATH_PREFIX)) {
    return { kind: 'transcript', prefix: TRANSCRIPT_WEBHOOK_PATH_PREFIX, tokens: deps.transcriptTokens };
  }
  if (pathname.startsWith(LIVE_WEBHOOK_PATH_PREFIX)) {
    return { kind: 'live', prefix: LIVE_WEBHOOK_PATH_PREFIX, tokens: deps.liveTokens };
  }
  return { kind: 'status', prefix: WEBHOOK_PATH_PREFIX, tokens: deps.tokens };
}

export async function handleWebhook(
  deps: WebhookDeps,
  req: IncomingMessage,
  res: ServerResponse,
  body: RequestBody,
  pathname: string,
): Promise<void> {
  const { kind, prefix, tokens } = callbackKindOf(deps, pathname);
  // An early refusal leaves the body unread: see request-body.ts.
  const send = (refused: Refusal, headers: Record<string, string> = {}) => {
    deps.count(kind, refused.code);
    body.refuse((extra) => sendRefusal(res, refused, 'route', { ...headers, ...extra }));
  };
  const refuse: Refuse = (code, message, retryAfterSeconds) => send(refusal(code, message, retryAfterSeconds));

  // A request that fails before its token is found genuine spends its source's failure budget;
  // past it, the source gets 429 for such requests (a flood of forgeries costs one HMAC each).
  const refuseUnproven = async (code: ErrorCode, headers: Record<string, string> = {}) => {
    const source = req.socket.remoteAddress ?? 'unknown';
    const wait = await takeTurn(deps.failureBudget, source).catch(() => undefined);
    if (wait !== undefined) return refuse('CALLBACK_SOURCE_LIMITED', undefined, wait);
    return send(refusal(code), headers);
  };

  if (req.method !== 'POST') return refuseUnproven('METHOD_NOT_ALLOWED', { allow: 'POST' });
  // Tokens are base64url: taken as they stand, never %-decoded (a bad escape is just a wrong token).
  const token = pathname.slice(prefix.length);
  if (token === '' || pathname.length < prefix.length) return refuseUnproven('CALLBACK_TOKEN_MISSING');
  const uploadId = tokens.verify(token);
  if (uploadId === undefined) return refuseUnproven('CALLBACK_TOKEN_INVALID');

  const maxBytes = {
    transcript: MAX_TRANSCRIPT_CALLBACK_BYTES,
    live: deps.maxLiveResultBytes,
    status: MAX_CALLBACK_BYTES,
  }[kind];
  let text: string;
  try {
    text = await body.readText(maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return refuse('CALLBACK_TOO_LARGE', `The callback body exceeds ${maxBytes} bytes.`);
    }
    throw error;
  }

  if (kind === 'transcript') return handleTranscriptCallback(deps, uploadId, text, refuse, res);
  if (kind === 'live') return handleLiveResult(deps, uploadId, text, refuse, res);

  let callback;
  try {
    callback = parseCallback(text);
  } catch (error) {
    if (error instanceof CallbackInputError) return refuse('CALLBACK_INVALID', error.message);
    throw error;
  }

  // Refuse rather than accept and drop: MAVI may retry, and polling heals the rest.
  const storeUnavailable = () => refuse('STORE_UNAVAILABLE');
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
  refuse: Refuse,
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
    return refuse('STORE_UNAVAILABLE');
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

/** A live analysis's result: kept and published, or kept for the operator when it cannot be read. */
async function handleLiveResult(
  deps: WebhookDeps,
  analysisId: string,
  text: string,
  refuse: Refuse,
  res: ServerResponse,
): Promise<void> {
  if (!deps.live) return refuse('CALLBACK_UPLOAD_UNKNOWN', 'This gateway runs no live analyses.');
  let outcome;
  try {
    outcome = await deps.live.acceptResult(analysisId, text);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    deps.logger.warn('could not store a live result', { error, analysisId });
    return refuse('STORE_UNAVAILABLE');
  }
  switch (outcome.kind) {
    case 'unknown':
      return refuse(
        'CALLBACK_UPLOAD_UNKNOWN',
        "The callback token's live analysis is not known (it failed to start, or expired).",
      );
    case 'ended':
      return refuse(
        'CALLBACK_UPLOAD_UNKNOWN',
        "The callback token's live analysis has ended: no more results are taken.",
      );
    case 'unreadable':
      deps.count('live', 'unreadable');
      return sendJson(res, 202, { accepted: true, readable: false });
    case 'applied':
      deps.count('live', 'applied');
      return sendJson(res, 200, { accepted: true, readable: true });
  }
}
