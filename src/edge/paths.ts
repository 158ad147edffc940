/**
 * Every route the gateway serves, named once: the edge routes by them, Yoga and
 * graphql-ws mount on GRAPHQL_PATH, and uploads and transcriptions tell MAVI
 * their callback URLs with them.
 */

export const GRAPHQL_PATH = '/graphql';
/** Liveness, answered by the edge itself. */
export const HEALTH_PATH = '/health';
/** Readiness, answered by Yoga's readiness plugin. */
export const READY_PATH = '/ready';
export const METRICS_PATH = '/metrics';
/** What the web app needs to sign users in (public: the provider, the web app's client id, the audience). */
export const WEB_SIGN_IN_PATH = '/web-app/sign-in.json';

/** Resumable uploads (tus 1.0): POST here creates one; each lives at `/uploads/<id>`. */
export const UPLOADS_PATH = '/uploads';

export function isUploadsPath(pathname: string): boolean {
  return pathname === UPLOADS_PATH || pathname.startsWith(`${UPLOADS_PATH}/`);
}

export const WEBHOOK_PATH_PREFIX = '/webhooks/mavi/';
/** Transcription callbacks (the original family's tasks), with tokens of their own kind. */
export const TRANSCRIPT_WEBHOOK_PATH_PREFIX = `${WEBHOOK_PATH_PREFIX}transcripts/`;

/** Live analyses' results, with tokens of their own kind. */
export const LIVE_WEBHOOK_PATH_PREFIX = `${WEBHOOK_PATH_PREFIX}live/`;

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

/** The URL MAVI is given for one live analysis's results. */
export function liveCallbackUrl(publicUrl: string, token: string): string {
  return `${publicUrl}${LIVE_WEBHOOK_PATH_PREFIX}${token}`;
}

/** The route a request is traced and logged under (never its URL: tokens and ids stay out). */
export function routeOf(pathname: string): string {
  if (isWebhookPath(pathname)) {
    if (pathname.startsWith(TRANSCRIPT_WEBHOOK_PATH_PREFIX)) return TRANSCRIPT_WEBHOOK_PATH_PREFIX;
    return pathname.startsWith(LIVE_WEBHOOK_PATH_PREFIX) ? LIVE_WEBHOOK_PATH_PREFIX : WEBHOOK_PATH_PREFIX;
  }
  if (isUploadsPath(pathname)) return UPLOADS_PATH;
  return [GRAPHQL_PATH, HEALTH_PATH, READY_PATH, METRICS_PATH].includes(pathname) ? pathname : 'other';
}
