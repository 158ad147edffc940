/**
 * One gateway instance: builds its parts from the configuration, wires them to
 * node:http, Yoga and graphql-ws, and starts and stops them. What each part
 * does lives in its own folder; this file only connects them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { type CallbackTokens } from '../auth/callback-tokens.js';
import { createClientKeys } from '../auth/client-keys.js';
import { callerIdentification } from '../edge/caller.js';
import { corsOptions } from '../edge/cors.js';
import { GRAPHQL_PATH, UPLOADS_PATH } from '../edge/paths.js';
import { createRequestHandler } from '../edge/request-handler.js';
import { loadStaticFiles } from '../edge/static-files.js';
import { UploadAdmission } from '../edge/upload-admission.js';
import { type GatewayConfig } from '../config.js';
import { EventBus } from '../events/event-bus.js';
import { createLogger, type Logger } from '../logger.js';
import { GatewayMetrics } from '../metrics/metrics.js';
import { StatusService } from '../status/status-service.js';
import type { StatusEvent, StatusStore } from '../status/status-store.js';
import { Chats } from '../videos/chat.js';
import { createServices, type ServiceOptions } from './services.js';
import { shutDown } from './shutdown.js';
import { attachGraphQLWebSocket } from './websocket.js';
import { EventStreams } from './event-streams.js';
import { SseStreamsPerClient } from './plugins/use-sse-limits.js';
import { GATEWAY_VERSION } from '../version.js';
import { createGatewayYoga } from './yoga.js';
import type { LiveAnalyses } from '../live/live-analyses.js';

export interface GatewayOptions extends ServiceOptions {
  logger?: Logger;
  /**
   * With no PUBLIC_URL, use the gateway's own listening address as the callback
   * base. Right when MAVI is a local simulator; never for the real MAVI, which
   * cannot reach a loopback address.
   */
  callbackToSelf?: boolean;
  /** MAVI is the built-in simulator (`npm start` without a key): what matters only for real MAVI is not warned about. */
  builtInSimulator?: boolean;
}

/** The parts of a running gateway that tests look into (createGatewayWithParts). */
export interface GatewayParts {
  readonly config: GatewayConfig;
  readonly store: StatusStore;
  readonly events: EventBus<StatusEvent>;
  readonly status: StatusService;
  readonly tokens: CallbackTokens;
  readonly transcriptTokens: CallbackTokens;
  readonly liveTokens: CallbackTokens;
  readonly chats: Chats;
  readonly live: LiveAnalyses;
}

export interface Gateway {
  readonly server: Server;
  /** The base URL the gateway listens on, e.g. http://127.0.0.1:4000 (after start). */
  readonly url: string;
  start(): Promise<void>;
  /** Graceful: refuses new work, lets uploads finish (bounded), closes subscriptions. */
  stop(): Promise<void>;
}

/** Where `npm run build` puts the web app: dist/web/ at the top, from src/server/ and dist/server/ alike. */
const WEB_APP_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  return createGatewayWithParts(config, options).gateway;
}

/**
 * For tests only: the gateway, and the parts they look into (its store, bus, chats, tokens).
 * Not part of the Gateway a deployment gets.
 */
export function createGatewayWithParts(
  config: GatewayConfig,
  options: GatewayOptions = {},
): { gateway: Gateway; parts: GatewayParts } {
  const logger = options.logger ?? createLogger();
  for (const secret of [
    config.maviApiKey,
    config.webhookSecret,
    config.metricsToken,
    config.staging.s3?.credentials?.secretAccessKey,
    ...config.gatewayApiKeys.map(({ key }) => key),
    ...config.serviceKeys.map(({ key }) => key),
    ...(config.appWebhook.endpoint?.secrets ?? []),
  ]) {
    if (secret) logger.addSecret(secret);
  }
  // On the built-in simulator a process's own secret is all it needs: nothing to warn about.
  const webhookSecret = config.webhookSecret ?? randomWebhookSecret(logger, !options.builtInSimulator);

  let url = '';
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const callbackBaseUrl = () => config.publicUrl ?? (options.callbackToSelf ? url : undefined);

  const metrics = new GatewayMetrics();
  const services = createServices({ config, options, logger, metrics, webhookSecret, callbackBaseUrl });
  const {
    mavi,
    backends,
    events,
    status,
    tokens,
    transcriptTokens,
    liveTokens,
    live,
    userTokens,
    open,
    uploads,
    chats,
    resumableUploads,
    poller,
    appWebhooks,
    erasures,
  } = services;

  const { server, yoga, webSockets, eventStreams } = serveOverHttp(config, services, {
    logger,
    metrics,
    stopping: () => stopping,
  });
  metrics.observe({
    uploadsInFlight: () => uploads.inFlight.size,
    chatsStreaming: () => chats.streaming,
    storeUp: () => status.isReady(),
    redisUp: config.store === 'redis' ? () => backends.isReady() : undefined,
    pollPeriodSeconds: () => poller.currentPeriodMs / 1000,
  });

  const parts: GatewayParts = {
    config,
    store: backends.store,
    events,
    status,
    tokens,
    transcriptTokens,
    liveTokens,
    chats,
    live,
  };
  const gateway: Gateway = {
    server,
    get url() {
      return url;
    },

    async start() {
      await new Promise<void>((resolve, reject) => {
        const failed = (error: NodeJS.ErrnoException) => reject(listenFailure(error, config.host, config.port));
        server.once('error', failed);
        server.listen(config.port, config.host, () => {
          server.off('error', failed);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
      logger.info('gateway listening', { url, graphql: `${url}${GRAPHQL_PATH}`, version: GATEWAY_VERSION });
      if (!options.builtInSimulator) {
        logger.info('talking to MAVI', {
          family: config.maviApi,
          baseUrl: config.maviBaseUrl,
          callbacks: callbackBaseUrl() ?? 'none: no PUBLIC_URL, so statuses are polled',
        });
      }
      warnAboutExposure(config, logger, address.address, callbackBaseUrl() === undefined, open);
      userTokens?.start();
      poller.start();
      await appWebhooks?.start();
      erasures.start();
      if (resumableUploads) {
        logger.info('resumable uploads (tus) served', { path: UPLOADS_PATH, staging: await resumableUploads.start() });
      } else if (config.staging.enabled) {
        logger.warn(
          'resumable uploads are off: several instances (REDIS_URL) need shared staging, so set STAGING_S3_BUCKET (and STAGING_S3_ENDPOINT for S3-compatible storage)',
        );
      }
    },

    stop() {
      stopping = true; // /ready turns 503, new uploads are refused
      userTokens?.stop();
      // Forwarding and erasures stop first: a file being sent is cut, an erasure's round ends, and
      // each job is due again at the next start (or elsewhere).
      stopped ??= Promise.all([resumableUploads?.stop(), erasures.stop(), live.close()]).then(() =>
        shutDown({
          server,
          uploads: uploads.inFlight,
          status,
          poller,
          appWebhooks,
          webSockets,
          eventStreams,
          yoga,
          backends,
          closeMavi: () => mavi.close(),
          logger,
          timeoutMs: config.shutdownTimeoutMs,
        }),
      );
      return stopped;
    },
  };
  return { gateway, parts };
}

/**
 * The transports over the services: node:http with the edge's routes in front of Yoga
 * (GraphQL, SSE, GraphiQL), and graphql-ws on the same port and path.
 */
function serveOverHttp(
  config: GatewayConfig,
  services: ReturnType<typeof createServices>,
  { logger, metrics, stopping }: { logger: Logger; metrics: GatewayMetrics; stopping: () => boolean },
) {
  const { reportUnknownStatus, tokens, transcriptTokens, maxUploadBytes, backends, status, clientKeys } = services;
  const { userTokens, open, uploads, library, chats, transcripts, resumableUploads, erasures, appWebhooks } = services;
  const cors = corsOptions(config.corsOrigins);
  const callers = callerIdentification(clientKeys, userTokens, createClientKeys(config.serviceKeys, 'service'));
  const sseStreams = new SseStreamsPerClient(config.sseMaxStreamsPerClient);
  const yoga = createGatewayYoga({
    keysRequired: !open,
    userTokens: userTokens !== undefined,
    cors,
    status,
    uploads,
    library,
    images: services.images,
    live: services.live,
    chats,
    transcripts,
    resumableUploads,
    ownerNamed: callers.ownerNamed,
    erasures,
    appWebhooks,
    logger,
    metrics,
    cost: backends.cost,
    sseStreams,
    introspection: config.introspection,
    readiness: () =>
      stopping()
        ? 'stopping'
        : status.isReady() && backends.isReady() && (userTokens?.ready ?? true)
          ? 'ready'
          : 'not ready',
  });
  // How the web app signs users in, when it does; it then calls their provider (discovery, token, refresh).
  const webSignIn =
    config.auth?.webClientId === undefined
      ? null
      : { issuer: config.auth.issuer, clientId: config.auth.webClientId, audience: config.auth.audience };
  const webApp = loadStaticFiles(WEB_APP_DIR, webSignIn ? [new URL(webSignIn.issuer).origin] : []);
  if (!webApp) logger.info('the web app is not built: / answers 404 (npm run build builds it)', { dir: WEB_APP_DIR });
  const eventStreams = new EventStreams({ yoga, streams: sseStreams, logger, metrics });
  const handleRequest = createRequestHandler({
    graphql: (req, res, context) => yoga(req, res, context),
    eventStreams,
    webSignIn,
    webApp,
    metrics: {
      registry: metrics.registry,
      readers: config.metricsToken === undefined ? undefined : createClientKeys([{ key: config.metricsToken }]),
    },
    webhook: {
      failureBudget: backends.webhookFailures,
      count: (kind, outcome) => metrics.webhooks.inc({ kind, outcome }),
      tokens,
      transcriptTokens,
      transcripts,
      liveTokens: services.liveTokens,
      live: services.mavi.liveStreams ? services.live : undefined,
      maxLiveResultBytes: config.live.maxResultBytes,
      status,
      logger,
      onUnknownStatus: reportUnknownStatus,
    },
    uploadRequests: {
      admission: new UploadAdmission({
        pace: backends.uploadPace,
        maxUploadBytes,
        maxConcurrentUploadsPerKey: config.maxConcurrentUploadsPerKey,
        quotas: backends.cost,
      }),
      measureFileStart: config.maviUploadContentLength,
    },
    resumableUploads,
    callers,
    cors,
    introspection: config.introspection,
    logger,
    requestBodyTimeoutMs: config.requestBodyTimeoutMs,
    uploadIdleTimeoutMs: config.uploadIdleTimeoutMs,
    stopping,
  });
  const server = createServer(
    {
      // Uploads of gigabytes take longer than Node's default 5-minute request timeout;
      // every body has its own deadline instead (REQUEST_BODY_TIMEOUT_MS, see edge/request-handler.ts).
      requestTimeout: 0,
      headersTimeout: 60_000,
    },
    handleRequest,
  );
  // A client that asks first (Expect: 100-continue) is told to send its body only once it is read.
  server.on('checkContinue', (req, res) => handleRequest(req, res, true));
  const webSockets = attachGraphQLWebSocket(server, yoga, callers, logger, metrics, config.websocket);
  return { server, yoga, webSockets, eventStreams };
}

function randomWebhookSecret(logger: Logger, warn: boolean): string {
  if (warn)
    logger.warn(
      'WEBHOOK_SECRET is not set: using a random secret for this process. Callback URLs stop working after a restart, and several instances need one shared WEBHOOK_SECRET.',
    );
  return randomBytes(32).toString('base64url');
}

/** Start-up warnings about a deployment that works, but not as its operator probably means. */
function warnAboutExposure(
  config: GatewayConfig,
  logger: Logger,
  address: string,
  polling: boolean,
  open: boolean,
): void {
  if (polling) {
    logger.warn(
      `PUBLIC_URL is not set, so MAVI cannot call back: statuses are learned by polling MAVI every ${config.statusPollIntervalMs} ms.`,
    );
  }
  for (const { name, suggestion } of config.unrecognizedVariables) {
    logger.warn(
      `${name} is set but is not a setting of this gateway, so it is ignored${suggestion ? `: did you mean ${suggestion}?` : ''}`,
    );
  }
  if (open && !isLoopback(address)) {
    logger.warn(
      `Neither GATEWAY_API_KEYS nor AUTH_ISSUER is set and the gateway listens on ${address}: anyone who reaches it can upload on your MAVI account and watch any video.`,
    );
  }
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

/** Why the server could not listen, in one line that names the setting to change. */
function listenFailure(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new Error(`PORT ${port} is already in use on ${host}: stop what holds it, or set PORT to another port.`);
    case 'EACCES':
      return new Error(`PORT ${port} on ${host} needs privileges this process lacks: set PORT to 1024 or above.`);
    case 'EADDRNOTAVAIL':
      return new Error(`HOST ${host} is no address of this machine: set HOST to one (0.0.0.0 for every one).`);
    default:
      return error;
  }
}
