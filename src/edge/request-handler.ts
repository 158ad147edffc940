/**
 * The HTTP edge: every request enters here. What can be answered without Yoga
 * is answered here (/health, /metrics, the web app, MAVI's callbacks, refusals
 * before a body is read); an upload first passes its request stage
 * (upload-request.ts); then the request goes to Yoga (GraphQL, GraphiQL,
 * /ready) with its caller, identified once (caller.ts), in the server context.
 * Every request's body gets a deadline before anything else is done with it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CORSOptions } from '@whatwg-node/server';
import type { Registry } from 'prom-client';
import type { ClientKeys } from '../auth/client-keys.js';
import { isRefusal, refusal, type Refusal } from '../errors.js';
import type { Caller } from '../identity.js';
import type { ServerContext } from '../graphql/context.js';
import type { ResumableUploads } from '../staging/resumable-uploads.js';
import { withRequestId, type Logger } from '../logger.js';
import { incomingContext, inSpan, SpanKind } from '../tracing/tracer.js';
import { sendJson, sendRefusal } from './answers.js';
import { startBodyDeadline, startIdleGapDeadline } from './body-deadline.js';
import { repeatedAuthorization, type CallerIdentification } from './caller.js';
import { corsHeadersFor } from './cors.js';
import {
  GRAPHQL_PATH,
  HEALTH_PATH,
  isUploadsPath,
  isWebhookPath,
  METRICS_PATH,
  READY_PATH,
  routeOf,
  WEB_SIGN_IN_PATH,
  WEBHOOK_PATH_PREFIX,
} from './paths.js';
import { RequestBody } from './request-body.js';
import { handleResumable } from './resumable-route.js';
import type { StaticFiles } from './static-files.js';
import { isUploadRequest, prepareUploadRequest, type UploadRequestOptions } from './upload-request.js';
import { GATEWAY_VERSION } from '../version.js';
import { handleWebhook, type WebhookDeps } from './webhook-route.js';

/** The largest keyless body read (with introspection on): GraphiQL's introspection query is about 2 KiB. */
const KEYLESS_BODY_BYTES = 16 * 1024;

/** Yoga's node handler: the request, its response, and what the edge adds to the server context. */
type GraphQLHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  context: Pick<ServerContext, 'caller' | 'uploadSlot'>,
) => unknown;

/**
 * SSE subscriptions the gateway serves itself (server/event-streams.ts): `serve` answers the
 * request, or hands it to Yoga through `toYoga` (with whatever of the body it read).
 */
export interface EventStreamRoute {
  /** Whether the request may be one (it accepts text/event-stream, and its body is small and JSON). */
  accepts(req: IncomingMessage): boolean;
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    caller: Caller,
    body: RequestBody,
    toYoga: () => unknown,
  ): Promise<unknown>;
}

export interface RequestHandlerDeps {
  /** GET /metrics: the registry, and who may read it (undefined: nobody, the route is not served). */
  metrics: { registry: Registry; readers: ClientKeys | undefined };
  /** GET /web-app/sign-in.json: how the web app signs users in, or null when the gateway takes client keys only. */
  webSignIn: { issuer: string; clientId: string; audience: string } | null;
  graphql: GraphQLHandler;
  /** SSE subscriptions to shareable fields, served beside Yoga. */
  eventStreams: EventStreamRoute;
  /** The web app's built files (served at `/`), or undefined when it was not built. */
  webApp: StaticFiles | undefined;
  webhook: WebhookDeps;
  uploadRequests: UploadRequestOptions;
  /** Resumable uploads at /uploads (tus); undefined when the gateway has no staging. */
  resumableUploads: ResumableUploads | undefined;
  callers: CallerIdentification;
  /** CORS_ORIGINS, as Yoga applies it: the edge's own answers carry the same headers. */
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

/**
 * The handler for the server's `request` and `checkContinue` events: a client
 * that sent `Expect: 100-continue` (`awaitingContinue`) is told to send its
 * body only when a reader takes it (request-body.ts).
 */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, awaitingContinue?: boolean) => void;

export function createRequestHandler(deps: RequestHandlerDeps): RequestHandler {
  const { logger } = deps;

  const route = async (req: IncomingMessage, res: ServerResponse, body: RequestBody, pathname: string) => {
    // Liveness: answered here, without Yoga, as long as the process serves at all.
    if (pathname === HEALTH_PATH) return sendJson(res, 200, { status: 'ok', version: GATEWAY_VERSION });
    if (pathname === METRICS_PATH) return serveMetrics(req, res, deps.metrics);
    if (pathname === WEB_SIGN_IN_PATH) {
      req.resume();
      return sendJson(res, 200, { signIn: deps.webSignIn });
    }
    if (deps.webApp?.serve(req, res, pathname)) return;
    if (pathname === '/' && !deps.webApp) {
      req.resume();
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end('The web app is not built: run `npm run build` (it builds into dist/web/). GraphiQL is at /graphql.\n');
      return;
    }

    if (isUploadsPath(pathname)) {
      return handleResumable({ ...deps, uploads: deps.resumableUploads }, req, res, body);
    }

    const liftBodyDeadline = startBodyDeadline(req, deps.requestBodyTimeoutMs, () =>
      logger.info('dropped a request whose body did not arrive in time', {
        path: isWebhookPath(pathname) ? WEBHOOK_PATH_PREFIX : pathname,
        timeoutMs: deps.requestBodyTimeoutMs,
      }),
    );
    if (isWebhookPath(pathname)) return handleWebhook(deps.webhook, req, res, body, pathname);
    // Any refusal here comes before the body is read: see request-body.ts.
    const refuse = (refused: Refusal) => body.refuse((headers) => sendRefusal(res, refused, 'graphql', headers));

    const identified = pathname === GRAPHQL_PATH ? await deps.callers.ofRequest(req) : undefined;
    if (identified !== undefined && isUploadRequest(req)) {
      // No new upload while stopping; the connection closes once idle (the shutdown closes idle connections).
      if (deps.stopping()) return refuse(refusal('SHUTTING_DOWN'));
      const uploadSlot = await inSpan('multipart intake', {}, () =>
        prepareUploadRequest(req, res, body, identified, deps.uploadRequests),
      );
      if (!uploadSlot) return;
      liftBodyDeadline(); // the envelope is read; the file streams at whatever pace MAVI reads it…
      // …as long as the client keeps sending: a body that stops for UPLOAD_IDLE_TIMEOUT_MS is cut.
      startIdleGapDeadline(req, deps.uploadIdleTimeoutMs, () =>
        logger.info('dropped an upload whose body stopped arriving', { idleMs: deps.uploadIdleTimeoutMs }),
      );
      return deps.graphql(req, res, { caller: identified, uploadSlot });
    }
    if (
      identified !== undefined &&
      isRefusal(identified) &&
      req.method === 'POST' &&
      !(deps.introspection && declaredLength(req) <= KEYLESS_BODY_BYTES)
    ) {
      // The caller is known before any body is read: one without a credential costs no more memory
      // than its headers. With introspection on, a small declared body is read: it may ask for the
      // schema (GraphiQL does before a key is typed), which needs none (see server/yoga.ts).
      return refuse(identified);
    }
    const toYoga = () => {
      body.take();
      return deps.graphql(req, res, { caller: identified });
    };
    if (identified !== undefined && !isRefusal(identified) && deps.eventStreams.accepts(req)) {
      return deps.eventStreams.serve(req, res, identified, body, toYoga);
    }
    return toYoga();
  };

  return (req, res, awaitingContinue = false) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const body = new RequestBody(req, res, awaitingContinue);
    // Everything after this builds URLs from the target and the Host header (Yoga's adapter too, which
    // would answer a bad one with a stack trace): a target or host that makes no URL ends here.
    const malformed = normaliseTarget(req) ?? repeatedAuthorization(req);
    if (malformed !== undefined) {
      logger.info('refused a malformed request', { problem: malformed.message });
      req.resume();
      return sendRefusal(res, malformed, 'route');
    }
    // Every answer carries the CORS policy (Yoga sets the same headers again on its own answers).
    for (const [name, value] of Object.entries(corsHeadersFor(req, deps.cors))) res.setHeader(name, value);
    const pathname = new URL(req.url ?? '/', 'http://gateway').pathname;
    const handled = () =>
      route(req, res, body, pathname).catch((error: unknown) => {
        logger.error('request failed', { error, path: req.url?.split('?')[0] });
        if (!res.headersSent) sendRefusal(res, refusal('INTERNAL_SERVER_ERROR'), 'route');
        else res.destroy();
      });
    // `handled` answers every failure itself: nothing is left for a caller to wait on.
    void withRequestId(requestId, () => {
      const routeName = routeOf(pathname);
      // Probes are not traced.
      if (routeName === HEALTH_PATH || routeName === READY_PATH || routeName === METRICS_PATH) return handled();
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

/** The body's declared length; Infinity when it is not declared (chunked) or not a number. */
function declaredLength(req: IncomingMessage): number {
  const declared = Number(req.headers['content-length'] ?? NaN);
  return Number.isFinite(declared) && declared >= 0 ? declared : Infinity;
}

/**
 * Prometheus scrapes GET /metrics with `Authorization: Bearer <METRICS_TOKEN>`.
 * Without METRICS_TOKEN the route does not exist (404): metrics are never open on
 * the public listener by accident.
 */
async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: RequestHandlerDeps['metrics'],
): Promise<void> {
  req.resume();
  if (!metrics.readers) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: /metrics needs METRICS_TOKEN.\n');
    return;
  }
  if (metrics.readers.identify(req.headers.authorization) === undefined) {
    return sendRefusal(
      res,
      refusal('UNAUTHENTICATED', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.'),
      'route',
    );
  }
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
}

/**
 * Checks the request target and Host header: MALFORMED_REQUEST naming what is
 * wrong with them, or undefined when they are usable. An absolute-form target
 * (`GET http://host/path`, as sent to proxies) is served by its path and query.
 */
export function normaliseTarget(req: IncomingMessage): Refusal | undefined {
  const malformed = (problem: string) => refusal('MALFORMED_REQUEST', `${problem} (HTTP 400).`);
  const target = req.url ?? '';
  if (!target.startsWith('/')) {
    let absolute: URL | undefined;
    try {
      absolute = /^https?:\/\//i.test(target) ? new URL(target) : undefined;
    } catch {
      absolute = undefined;
    }
    if (!absolute) return malformed(`The request target ${JSON.stringify(target.slice(0, 100))} is not a path`);
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
      return malformed(`The Host header ${JSON.stringify(host.slice(0, 100))} is not a host name`);
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
