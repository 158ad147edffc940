/**
 * Where each HTTP request goes: /health, the webhook route, uploads (their
 * request stage first), and everything else to Yoga (GraphQL, GraphiQL, /ready).
 * Every request's body gets a deadline before anything else is done with it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UNAUTHENTICATED_HEADERS, type ClientKeys } from '../auth/client-keys.js';
import { startBodyDeadline, startIdleGapDeadline } from '../http/body-deadline.js';
import { corsHeadersFor } from '../http/cors.js';
import type { StaticFiles } from '../http/static-files.js';
import { acceptBody, answerUnreadBody } from '../http/unread-body.js';
import type { CORSOptions } from '@whatwg-node/server';
import { sendError, sendGraphQLError, sendJson } from '../http/responses.js';
import type { Registry } from 'prom-client';
import { withRequestId, type Logger } from '../logger.js';
import { isUploadRequest, prepareUploadRequest, type UploadRequestOptions } from '../upload/upload-request.js';
import { incomingContext, inSpan, SpanKind } from '../tracing/tracer.js';
import {
  handleWebhook,
  isWebhookPath,
  TRANSCRIPT_WEBHOOK_PATH_PREFIX,
  WEBHOOK_PATH_PREFIX,
  type WebhookDeps,
} from '../webhook/webhook-route.js';
import { GRAPHQL_PATH, type GatewayYoga } from './yoga.js';

/** The largest keyless body read (with introspection on): GraphiQL's introspection query is about 2 KiB. */
const KEYLESS_BODY_BYTES = 16 * 1024;

/** The body's declared length; Infinity when it is not declared (chunked) or not a number. */
function declaredLength(req: IncomingMessage): number {
  const declared = Number(req.headers['content-length'] ?? NaN);
  return Number.isFinite(declared) && declared >= 0 ? declared : Infinity;
}

export interface RouteDeps {
  /** GET /metrics: the registry, and who may read it (undefined: nobody, the route is not served). */
  metrics: { registry: Registry; readers: ClientKeys | undefined };
  yoga: GatewayYoga;
  /** The web app's built files (served at `/`), or undefined when it was not built. */
  webApp: StaticFiles | undefined;
  webhook: WebhookDeps;
  uploadRequests: UploadRequestOptions;
  clientKeys: ClientKeys;
  /** CORS_ORIGINS, as Yoga applies it: the gateway's own answers carry the same headers. */
  cors: CORSOptions;
  /** Keyless callers may introspect (GraphiQL loads the schema before a key is typed). */
  introspection: boolean;
  logger: Logger;
  requestBodyTimeoutMs: number;
  /** The longest gap in an upload's body (see startIdleGapDeadline). */
  uploadIdleTimeoutMs: number;
  /** True once shutdown has begun: new uploads are refused. */
  stopping(): boolean;
}

export function createRequestHandler(deps: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger } = deps;

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://gateway').pathname;
    // Liveness: answered here, without Yoga, as long as the process serves at all.
    if (pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/metrics') return serveMetrics(req, res, deps.metrics);
    if (deps.webApp?.serve(req, res, pathname)) return;
    if (pathname === '/' && !deps.webApp) {
      req.resume();
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('The web app is not built: run `npm run build` (it builds into dist/web/). GraphiQL is at /graphql.\n');
      return;
    }

    const liftBodyDeadline = startBodyDeadline(req, deps.requestBodyTimeoutMs, () =>
      logger.info('dropped a request whose body did not arrive in time', {
        path: isWebhookPath(pathname) ? WEBHOOK_PATH_PREFIX : pathname,
        timeoutMs: deps.requestBodyTimeoutMs,
      }),
    );
    if (isWebhookPath(pathname)) return handleWebhook(deps.webhook, req, res, pathname);
    if (pathname === GRAPHQL_PATH && isUploadRequest(req)) {
      if (deps.stopping()) {
        // No new upload; the connection closes once idle (the shutdown closes idle connections).
        return answerUnreadBody(req, res, (headers) => sendGraphQLError(res, 'SHUTTING_DOWN', undefined, headers));
      }
      const admitted = await inSpan('multipart intake', {}, () => prepareUploadRequest(req, res, deps.uploadRequests));
      if (!admitted) return;
      liftBodyDeadline(); // the envelope is read; the file streams at whatever pace MAVI reads it…
      // …as long as the client keeps sending: a body that stops for UPLOAD_IDLE_TIMEOUT_MS is cut.
      startIdleGapDeadline(req, deps.uploadIdleTimeoutMs, () =>
        logger.info('dropped an upload whose body stopped arriving', { idleMs: deps.uploadIdleTimeoutMs }),
      );
    } else if (
      pathname === GRAPHQL_PATH &&
      req.method === 'POST' &&
      !(deps.introspection && declaredLength(req) <= KEYLESS_BODY_BYTES) &&
      deps.clientKeys.identify(req.headers.authorization) === undefined
    ) {
      // The key is checked before any body is read: a caller without one costs no more memory than
      // its headers. With introspection on, a small declared body is read: it may ask for the schema
      // (GraphiQL does before a key is typed), which needs no key (see yoga.ts).
      return answerUnreadBody(req, res, (headers) =>
        sendGraphQLError(res, 'UNAUTHENTICATED', undefined, { ...UNAUTHENTICATED_HEADERS, ...headers }),
      );
    }
    acceptBody(req, res);
    return deps.yoga(req, res);
  };

  return (req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    // Everything after this builds URLs from the target and the Host header (Yoga's adapter too, which
    // would answer a bad one with a stack trace): a target or host that makes no URL ends here.
    const malformed = normaliseTarget(req);
    if (malformed !== undefined) {
      logger.info('refused a malformed request', { problem: malformed });
      req.resume();
      return sendError(res, 'MALFORMED_REQUEST', `${malformed} (HTTP 400).`);
    }
    // Every answer carries the CORS policy (Yoga sets the same headers again on its own answers).
    for (const [name, value] of Object.entries(corsHeadersFor(req, deps.cors))) res.setHeader(name, value);
    const handled = () =>
      route(req, res).catch((error: unknown) => {
        logger.error('request failed', { error, path: req.url?.split('?')[0] });
        if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR');
        else res.destroy();
      });
    // `handled` answers every failure itself: nothing is left for a caller to wait on.
    void withRequestId(requestId, () => {
      const routeName = tracedRoute(req.url);
      if (routeName === undefined) return handled();
      // One trace per request (continuing the caller's, when it sent a traceparent): its steps are children.
      return inSpan(
        `${req.method ?? 'GET'} ${routeName}`,
        { 'http.request.method': req.method ?? '', 'http.route': routeName, 'request.id': requestId },
        async (span) => {
          await handled();
          span.setAttribute('http.response.status_code', res.statusCode);
        },
        { kind: SpanKind.SERVER, parent: incomingContext(req.headers) },
      );
    });
  };
}

/**
 * Prometheus scrapes GET /metrics with `Authorization: Bearer <METRICS_TOKEN>`.
 * Without METRICS_TOKEN the route does not exist (404): metrics are never open on
 * the public listener by accident.
 */
async function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: RouteDeps['metrics']): Promise<void> {
  req.resume();
  if (!metrics.readers) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: /metrics needs METRICS_TOKEN.\n');
    return;
  }
  if (metrics.readers.identify(req.headers.authorization) === undefined) {
    return sendError(
      res,
      'UNAUTHENTICATED',
      'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.',
      UNAUTHENTICATED_HEADERS,
    );
  }
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
}

/** The route a request is traced under (never its URL: tokens and ids stay out), or undefined for probes. */
function tracedRoute(url: string | undefined): string | undefined {
  const pathname = new URL(url ?? '/', 'http://gateway').pathname;
  if (pathname === '/health' || pathname === '/ready' || pathname === '/metrics') return undefined;
  if (isWebhookPath(pathname))
    return pathname.startsWith(TRANSCRIPT_WEBHOOK_PATH_PREFIX) ? TRANSCRIPT_WEBHOOK_PATH_PREFIX : WEBHOOK_PATH_PREFIX;
  return pathname === GRAPHQL_PATH ? GRAPHQL_PATH : 'other';
}

/**
 * Checks the request target and Host header, answering what is wrong with them, or
 * undefined when they are usable. An absolute-form target (`GET http://host/path`,
 * as sent to proxies) is served by its path and query.
 */
function normaliseTarget(req: IncomingMessage): string | undefined {
  const target = req.url ?? '';
  if (!target.startsWith('/')) {
    let absolute: URL | undefined;
    try {
      absolute = /^https?:\/\//i.test(target) ? new URL(target) : undefined;
    } catch {
      absolute = undefined;
    }
    if (!absolute) return `The request target ${JSON.stringify(target.slice(0, 100))} is not a path`;
    req.url = `${absolute.pathname}${absolute.search}`;
  }
  const host = req.headers.host;
  if (host !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(`http://${host}/`);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.host !== host.toLowerCase().replace(/:80$/, '') || parsed.pathname !== '/') {
      return `The Host header ${JSON.stringify(host.slice(0, 100))} is not a host name`;
    }
  }
  return undefined;
}

/** A request id a caller (or its proxy) may set; anything else is replaced, so a log line cannot be forged through it. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a sane one, else a new id. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}
