/**
 * Every error code a client (or MAVI, calling back) can see, in one registry:
 * GraphQL errors and the plain HTTP routes' `{ error: { code, message } }`
 * answers alike. Each code has one default message, its HTTP status, whether
 * a retry may succeed and, where waiting helps, how long to wait.
 *
 * A refusal is one value, `Refusal` (code, message, retry-after), whatever
 * carries it: resolvers throw it as a GraphQL error (`gatewayError`,
 * `refusalError`); the HTTP edge writes it as an answer (edge/answers.ts).
 * Anything thrown that is not a GraphQLError is masked by Yoga ("Unexpected
 * error.") and logged, so internal details never reach clients. The README's
 * error table lists the same codes (test/unit/errors.test.ts).
 */
import { GraphQLError } from 'graphql';

interface ErrorSpec {
  /** The default message; a thrower may give a more precise one. */
  readonly message: string;
  /** True when the same request may succeed later. */
  readonly retryable: boolean;
  /**
   * HTTP status when the error refuses the whole request (Yoga honours extensions.http);
   * without one, a GraphQL error leaves the status to Yoga and a route answers 400.
   */
  readonly httpStatus?: number;
  /** Seconds a client should wait before retrying, unless the refusal knows better. */
  readonly retryAfterSeconds?: number;
  /** Headers every HTTP answer of this code carries. */
  readonly httpHeaders?: Readonly<Record<string, string>>;
}

export const errorRegistry = {
  INVALID_MULTIPART: { message: 'The multipart request is malformed.', retryable: false, httpStatus: 400 },
  ONE_FILE_ONLY: { message: 'Only one file per request is accepted.', retryable: false, httpStatus: 400 },
  PREFLIGHT_REQUIRED: {
    message:
      'Multipart requests need an Apollo-Require-Preflight header (or X-Apollo-Operation-Name, x-graphql-yoga-csrf or Authorization).',
    retryable: false,
    httpStatus: 400,
  },
  EMPTY_FILE: { message: 'The uploaded file is empty.', retryable: false },
  LENGTH_REQUIRED: {
    message: 'The upload needs a Content-Length header.',
    retryable: false,
    httpStatus: 411,
  },
  UPLOAD_TOO_LARGE: {
    message: 'The uploaded file is larger than the upload limit.',
    retryable: false,
    httpStatus: 413,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    message: 'The file is not a video this MAVI takes.',
    retryable: false,
  },
  VIDEO_NOT_FOUND: { message: 'No video with this videoNo is known.', retryable: false },
  VIDEO_DELETED: { message: 'The video was deleted.', retryable: false },
  VIDEO_NOT_READY: { message: 'The video is not processed yet; wait for its PARSE status.', retryable: true },
  VIDEO_URL_REFUSED: {
    message: 'The URL is refused: only public http(s) addresses are fetched.',
    retryable: false,
  },
  LIVE_ANALYSIS_NOT_FOUND: { message: 'No live analysis with this id is known to you.', retryable: false },
  STREAM_URL_REFUSED: {
    message: 'The stream URL is refused: only rtmp:// and rtmps:// URLs of public addresses are taken.',
    retryable: false,
  },
  LIVE_CAPACITY_FULL: {
    message:
      "Every live stream the gateway's MAVI key may run is taken (or you run as many as one owner may): retry after the time in Retry-After.",
    retryable: true,
    httpStatus: 429,
    retryAfterSeconds: 30,
  },
  UNSUPPORTED_BY_MAVI: {
    message: 'The MAVI API family behind this gateway does not offer this.',
    retryable: false,
  },
  WEBHOOK_ENDPOINT_NOT_FOUND: { message: 'No webhook endpoint with this id is known.', retryable: false },
  WEBHOOK_DELIVERY_NOT_FOUND: {
    message: 'The webhook endpoint has no delivery with this id (it may be past its retention).',
    retryable: false,
  },
  WEBHOOK_URL_REFUSED: {
    message: 'The webhook URL is refused: only public http(s) addresses are posted to.',
    retryable: false,
  },
  CHAT_SESSION_NOT_FOUND: { message: 'No chat session with this id is known to you.', retryable: false },
  CHAT_ANSWER_TOO_LONG: {
    message:
      "MAVI's answer outgrew the gateway's bound on one answer (CHAT_MAX_ANSWER_MS, CHAT_MAX_ANSWER_BYTES): it was cut.",
    retryable: false,
  },
  TOO_MANY_SUBSCRIPTIONS: {
    message: 'Too many open subscriptions for this client: close one first.',
    retryable: true,
  },
  RATE_LIMITED: {
    message: 'Too many requests of this kind: wait for the time in extensions.retryAfterSeconds.',
    retryable: true,
    httpStatus: 429,
  },
  INVALID_INPUT: { message: "The operation's arguments are not acceptable.", retryable: false },
  MALFORMED_REQUEST: {
    message: "The request's Host header or target is malformed.",
    retryable: false,
    httpStatus: 400,
  },
  UNAUTHENTICATED: {
    message: 'A valid client key is required: send Authorization: Bearer <key>.',
    retryable: false,
    httpStatus: 401,
    httpHeaders: { 'www-authenticate': 'Bearer' }, // RFC 6750
  },
  IDENTITY_PROVIDER_UNAVAILABLE: {
    message: "The identity provider's keys could not be loaded yet, so no token can be verified; retry shortly.",
    retryable: true,
    httpStatus: 503,
    retryAfterSeconds: 5,
  },
  TOO_MANY_UPLOADS: {
    message: 'Too many uploads: wait for your turn.',
    retryable: true,
    httpStatus: 429,
    retryAfterSeconds: 5,
  },
  SHUTTING_DOWN: {
    message: 'The gateway is shutting down; retry on another instance.',
    retryable: true,
    httpStatus: 503,
  },
  STORE_UNAVAILABLE: {
    message: 'The status store is unavailable; retry shortly.',
    retryable: true,
    httpStatus: 503,
    retryAfterSeconds: 5,
  },
  UPLOAD_NOT_FOUND: {
    message: 'No resumable upload with this id is known to you (it may have expired).',
    retryable: false,
    httpStatus: 404,
  },
  UPLOAD_EXPIRED: {
    message: 'The resumable upload was not finished in time; its bytes were removed. Start a new upload.',
    retryable: false,
    httpStatus: 410,
  },
  TUS_VERSION_UNSUPPORTED: {
    message: 'This endpoint speaks tus 1.0.0 only: send Tus-Resumable: 1.0.0.',
    retryable: false,
    httpStatus: 412,
    httpHeaders: { 'tus-version': '1.0.0' },
  },
  WRONG_CONTENT_TYPE: {
    message: 'A PATCH carries its bytes as Content-Type: application/offset+octet-stream.',
    retryable: false,
    httpStatus: 415,
  },
  TOO_MANY_STAGED_UPLOADS: {
    message: 'You have as many resumable uploads staged as one owner may: finish or delete one first.',
    retryable: true,
    httpStatus: 429,
    retryAfterSeconds: 60,
  },
  STAGING_QUOTA_EXCEEDED: {
    message: 'Your staged uploads would hold more bytes than one owner may: finish or delete one first.',
    retryable: true,
    httpStatus: 429,
    retryAfterSeconds: 60,
  },
  STAGING_FULL: {
    message: "The gateway's staging space is full; retry later.",
    retryable: true,
    httpStatus: 507,
    retryAfterSeconds: 60,
  },
  RESUMABLE_UPLOADS_OFF: {
    message: 'Resumable uploads are not available on this gateway: use uploadVideo.',
    retryable: false,
    httpStatus: 404,
  },
  MAVI_BUSY: { message: 'MAVI is busy; retry later.', retryable: true },
  MAVI_AUTH: { message: 'MAVI refused the gateway credentials.', retryable: false },
  MAVI_QUOTA: { message: "MAVI has no credits left on the operator's account.", retryable: false },
  MAVI_REJECTED: { message: 'MAVI rejected the request.', retryable: false },
  MAVI_UNAVAILABLE: { message: 'MAVI could not be reached.', retryable: true },
  MAVI_MISCONFIGURED: {
    message:
      'What answered is not MAVI as the gateway is set up to call it (MAVI_BASE_URL, MAVI_API): an operator problem that retrying does not fix.',
    retryable: false,
  },
  INTERNAL_SERVER_ERROR: { message: 'Unexpected error.', retryable: false, httpStatus: 500 },

  // The webhook route's answers to MAVI (and to anyone else who calls it).
  METHOD_NOT_ALLOWED: { message: 'Callbacks must be sent with POST.', retryable: false, httpStatus: 405 },
  CALLBACK_TOKEN_MISSING: { message: 'The callback URL has no token.', retryable: false, httpStatus: 401 },
  CALLBACK_TOKEN_INVALID: {
    message: 'The callback token is malformed or was not issued by this gateway.',
    retryable: false,
    httpStatus: 403,
  },
  CALLBACK_VIDEO_MISMATCH: {
    message: 'The callback token was issued for a different video.',
    retryable: false,
    httpStatus: 403,
  },
  CALLBACK_UPLOAD_UNKNOWN: {
    message: "The callback token's upload is not known (it failed or expired).",
    retryable: false,
    httpStatus: 404,
  },
  CALLBACK_SOURCE_LIMITED: {
    message: 'Too many failed callback requests from this address: wait for the time in Retry-After.',
    retryable: true,
    httpStatus: 429,
  },
  CALLBACK_TOO_LARGE: { message: 'The callback body is too large.', retryable: false, httpStatus: 413 },
  CALLBACK_INVALID: { message: 'The callback body is not a MAVI callback.', retryable: false, httpStatus: 400 },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorRegistry;

export function httpStatusOf(code: ErrorCode): number {
  const spec: ErrorSpec = errorRegistry[code];
  return spec.httpStatus ?? 400;
}

/** A refusal, whatever carries it: a GraphQL error (refusalError) or an HTTP answer (edge/answers.ts). */
export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
  /** Seconds until a retry may succeed (Retry-After, extensions.retryAfterSeconds), when waiting helps. */
  readonly retryAfterSeconds: number | undefined;
}

/** Whether an answer that is either a value or a refusal is the refusal (the values never carry a `code`). */
export function isRefusal<Value extends object>(answer: Value | Refusal): answer is Refusal {
  return 'code' in answer;
}

/** A refusal with `code`: its registry message and retry-after unless given more precise ones. */
export function refusal(code: ErrorCode, message?: string, retryAfterSeconds?: number): Refusal {
  const spec: ErrorSpec = errorRegistry[code];
  return { code, message: message ?? spec.message, retryAfterSeconds: retryAfterSeconds ?? spec.retryAfterSeconds };
}

/** The headers of a refusal's HTTP answer: its code's own, and Retry-After when it has one. */
export function refusalHeaders(refused: Refusal): Record<string, string> {
  const spec: ErrorSpec = errorRegistry[refused.code];
  const headers: Record<string, string> = { ...spec.httpHeaders };
  if (refused.retryAfterSeconds !== undefined) headers['retry-after'] = String(refused.retryAfterSeconds);
  return headers;
}

/** A refusal as the plain routes answer it (not /graphql): `{ error: { code, message } }`. */
export function routeRefusalBody(refused: Refusal): { error: { code: ErrorCode; message: string } } {
  return { error: { code: refused.code, message: refused.message } };
}

/** A refusal as a GraphQL error: `extensions.code`, `retryable`, `retryAfterSeconds`, and its HTTP status and headers. */
export function refusalError(refused: Refusal, extensions: Record<string, unknown> = {}): GraphQLError {
  const spec: ErrorSpec = errorRegistry[refused.code];
  const headers = refusalHeaders(refused);
  const hasHeaders = Object.keys(headers).length > 0;
  const http =
    spec.httpStatus !== undefined || hasHeaders
      ? { http: { status: spec.httpStatus ?? 200, ...(hasHeaders ? { headers } : {}) } }
      : {};
  const retryAfter = refused.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: refused.retryAfterSeconds };
  return new GraphQLError(refused.message, {
    extensions: { code: refused.code, retryable: spec.retryable, ...retryAfter, ...extensions, ...http },
  });
}

/** Shorthand for the common case: a GraphQL error of `code`, with the registry's defaults. */
export function gatewayError(code: ErrorCode, message?: string, extensions?: Record<string, unknown>): GraphQLError {
  return refusalError(refusal(code, message), extensions);
}

/** A store's backend (Redis, SQLite) could not answer: a retryable condition, not a bug. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/**
 * The transport's own word for why a connection failed (ECONNREFUSED, ENOTFOUND, a TLS
 * code such as CERT_HAS_EXPIRED), found along the error's causes; undefined when none has one.
 * fetch's own "fetch failed" says nothing an operator can act on.
 */
export function networkCodeOf(error: unknown): string | undefined {
  for (const cause of causesOf(error)) {
    if (cause.name === 'TimeoutError') return 'a timeout';
    const code = (cause as Error & { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR_ABORTED')) return code;
  }
  return undefined;
}

/** An error and the errors it was caused by, outermost first (five at most: a cycle ends there). */
export function causesOf(error: unknown): Error[] {
  const causes: Error[] = [];
  for (let cause = error; cause instanceof Error && causes.length < 5; cause = cause.cause) causes.push(cause);
  return causes;
}
