/**
 * One gateway instance: builds its parts from the configuration, wires them to
 * node:http, Yoga and graphql-ws, and starts and stops them. What each part
 * does lives in its own folder; this file only connects them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createCallbackTokens, type CallbackTokens } from '../auth/callback-tokens.js';
import { createClientKeys } from '../auth/client-keys.js';
import { createUserTokens } from '../auth/user-tokens.js';
import { callerIdentification } from '../edge/caller.js';
import { corsOptions } from '../edge/cors.js';
import { callbackUrl, GRAPHQL_PATH, transcriptCallbackUrl, UPLOADS_PATH } from '../edge/paths.js';
import { createRequestHandler } from '../edge/request-handler.js';
import { loadStaticFiles } from '../edge/static-files.js';
import { UploadAdmission } from '../edge/upload-admission.js';
import { ConfigError, type GatewayConfig } from '../config.js';
import { EventBus, type EventTransport } from '../events/event-bus.js';
import { createLogger, type Logger } from '../logger.js';
import { createMaviApi } from '../mavi/connect.js';
import { GatewayMetrics } from '../metrics/metrics.js';
import { StatusPoller, type StatusPollerOptions } from '../status/status-poller.js';
import { STATUS_TOPIC, StatusService } from '../status/status-service.js';
import type { StatusEvent, StatusStore } from '../status/status-store.js';
import { Uploads } from '../upload/upload-video.js';
import type { HostResolver } from '../upload/video-url.js';
import { Chats } from '../videos/chat.js';
import { TRANSCRIPT_TOPIC, Transcripts, type TranscriptDone } from '../videos/transcripts.js';
import { VideoLibrary } from '../videos/video-library.js';
import { Forwarding } from '../staging/forwarding.js';
import type { ProgressEvent } from '../staging/progress-feed.js';
import { ResumableUploads } from '../staging/resumable-uploads.js';
import { StagingService } from '../staging/staging-service.js';
import { openStagingStore } from '../staging/staging-store.js';
import { createBackends } from './backends.js';
import { shutDown } from './shutdown.js';
import { attachGraphQLWebSocket } from './websocket.js';
import { createGatewayYoga } from './yoga.js';

export interface GatewayOptions {
  logger?: Logger;
  /**
   * With no PUBLIC_URL, use the gateway's own listening address as the callback
   * base. Right when MAVI is a local simulator; never for the real MAVI, which
   * cannot reach a loopback address.
   */
  callbackToSelf?: boolean;
  /** MAVI is the built-in simulator (`npm start` without a key): what matters only for real MAVI is not warned about. */
  builtInSimulator?: boolean;
  /** How status events travel; in memory unless given (Redis, or a test's recorder). */
  events?: EventTransport;
  /** Resolves the host names of uploadVideoFromUrl's URLs (the DNS unless given: tests name hosts of their own). */
  resolveHost?: HostResolver;
  /** Fine-tuning of the polling fallback (tests shorten its thresholds). */
  polling?: Partial<Omit<StatusPollerOptions, 'intervalMs' | 'pollAll'>>;
}

/** The parts of a running gateway that tests look into (createGatewayWithParts). */
export interface GatewayParts {
  readonly config: GatewayConfig;
  readonly store: StatusStore;
  readonly events: EventBus<StatusEvent>;
  readonly status: StatusService;
  readonly tokens: CallbackTokens;
  readonly transcriptTokens: CallbackTokens;
  readonly chats: Chats;
}

export interface Gateway {
  readonly server: Server;
  /** The base URL the gateway listens on, e.g. http://127.0.0.1:4000 (after start). */
  readonly url: string;
  start(): Promise<void>;
  /** Graceful: refuses new work, lets uploads finish (bounded), closes subscriptions. */
  stop(): Promise<void>;
}

/** Resumable uploads' topics on the event bus. */
const STAGING_TOPIC = 'staged-upload:';
/** Staged files one instance sends to MAVI at once. */
const FORWARDING_WORKERS = 2;

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
  const reportUnknownStatus = unknownStatusReporter(logger);
  const mavi = createMaviApi({
    family: config.maviApi,
    baseUrl: config.maviBaseUrl,
    apiKey: requireKey(config.maviApiKey),
    onUnknownStatus: reportUnknownStatus,
    metrics,
    logger,
    ...config.mavi,
  });
  const tokens = createCallbackTokens(webhookSecret);
  const transcriptTokens = createCallbackTokens(webhookSecret, 'transcript');
  // What the family takes decides two settings (checked before anything is opened).
  const maxUploadBytes = config.maxUploadBytes ?? mavi.capabilities.maxUploadBytes;
  refuseLongCallbackUrls(config.publicUrl, mavi.capabilities.maxCallbackUrlChars, config.maviApi, [
    callbackUrl('', tokens.mint().token),
    ...(mavi.transcripts.mode === 'task' ? [transcriptCallbackUrl('', transcriptTokens.mint().token)] : []),
  ]);
  const backends = createBackends(config, logger, { events: options.events });
  const events = new EventBus<StatusEvent>(backends.events, `${backends.topicNamespace}${STATUS_TOPIC}`, () =>
    metrics.eventsPublished.inc({ kind: 'status' }),
  );
  const status = new StatusService(backends.store, events);
  const clientKeys = createClientKeys(config.gatewayApiKeys);
  // With AUTH_ISSUER: end users' tokens. Until the provider's keys load, /ready answers 503 (and is retried).
  const userTokens =
    config.auth &&
    createUserTokens(config.auth, config.maviPartition, (message) =>
      logger.warn("could not load the identity provider's keys (AUTH_ISSUER, AUTH_JWKS_URL); retrying", {
        problem: message,
      }),
    );
  /** Every caller must present a credential (keys or tokens are configured). */
  const open = clientKeys.open && !userTokens;
  const uploads = new Uploads({
    mavi,
    status,
    tokens,
    logger,
    maxUploadBytes,
    declareFileSize: config.maviUploadContentLength,
    callbackUrlFor: (token) => {
      const base = callbackBaseUrl();
      return base === undefined ? undefined : callbackUrl(base, token);
    },
    resolveHost: options.resolveHost,
    metrics,
    quotas: backends.cost,
  });
  const library = new VideoLibrary({ mavi, status, cost: backends.cost, logger });
  const chats = new Chats({
    mavi,
    library,
    records: backends.records,
    cost: backends.cost,
    logger,
    limits: config.chat,
  });
  const transcripts = new Transcripts({
    mavi,
    status,
    records: backends.records,
    events: new EventBus<TranscriptDone>(backends.events, `${backends.topicNamespace}${TRANSCRIPT_TOPIC}`, () =>
      metrics.eventsPublished.inc({ kind: 'transcript' }),
    ),
    tokens: transcriptTokens,
    callbackUrlFor: (token) => {
      const base = callbackBaseUrl();
      return base === undefined ? undefined : transcriptCallbackUrl(base, token);
    },
    cost: backends.cost,
    logger,
  });
  const resumableUploads = createResumableUploads();
  function createResumableUploads(): ResumableUploads | undefined {
    if (!config.staging.enabled) return undefined;
    // Several instances must share their staging: on disk, an upload would be resumable on one instance only.
    if (config.store === 'redis' && !config.staging.s3) return undefined;
    const { ledger, dataDir, redis } = backends.staging;
    const progress = new EventBus<ProgressEvent>(backends.events, `${backends.topicNamespace}${STAGING_TOPIC}`, () =>
      metrics.eventsPublished.inc({ kind: 'staging' }),
    );
    const service = new StagingService(ledger, progress);
    return new ResumableUploads({
      config: config.staging,
      maxUploadBytes,
      service,
      staging: openStagingStore({ config: config.staging, dataDir, redis }),
      quotas: backends.cost,
      refuseMetadata: (metadata) => mavi.refuseMetadata(metadata),
      forwarding: (staging) =>
        new Forwarding({
          service,
          staging,
          uploads,
          pace: backends.uploadPace,
          logger,
          workers: FORWARDING_WORKERS,
          // Jobs queued (or retried) on this instance wake a worker when due; others' are found by polling.
          idlePollMs: redis ? 1_000 : 5_000,
        }),
      path: UPLOADS_PATH,
      corsOrigins: config.corsOrigins,
      logger,
    });
  }

  const poller = new StatusPoller(
    { mavi, status, logger, claim: backends.claimPolls, onRound: (outcome) => metrics.pollRounds.inc({ outcome }) },
    {
      ...options.polling,
      intervalMs: config.statusPollIntervalMs,
      pollAll: () => callbackBaseUrl() === undefined,
    },
  );

  const cors = corsOptions(config.corsOrigins);
  const callers = callerIdentification(clientKeys, userTokens);
  const yoga = createGatewayYoga({
    keysRequired: !open,
    userTokens: userTokens !== undefined,
    cors,
    status,
    uploads,
    library,
    chats,
    transcripts,
    resumableUploads,
    logger,
    metrics,
    cost: backends.cost,
    sseMaxStreamsPerClient: config.sseMaxStreamsPerClient,
    introspection: config.introspection,
    readiness: () =>
      stopping
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
  const handleRequest = createRequestHandler({
    graphql: (req, res, context) => yoga(req, res, context),
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
    stopping: () => stopping,
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
  metrics.observe({
    uploadsInFlight: () => uploads.inFlight.size,
    chatsStreaming: () => chats.streaming,
    storeUp: () => status.isReady(),
    redisUp: config.store === 'redis' ? () => backends.isReady() : undefined,
    pollPeriodSeconds: () => poller.currentPeriodMs / 1000,
  });

  const parts: GatewayParts = { config, store: backends.store, events, status, tokens, transcriptTokens, chats };
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
      logger.info('gateway listening', { url, graphql: `${url}${GRAPHQL_PATH}` });
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
      // Forwarding stops first: a file being sent is cut, and its job is due again at the next start (or elsewhere).
      stopped ??= (resumableUploads?.stop() ?? Promise.resolve()).then(() =>
        shutDown({
          server,
          uploads: uploads.inFlight,
          status,
          poller,
          webSockets,
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
 * Logs each status spelling MAVI uses that the gateway does not know, once: it
 * counts as still processing and changes nothing. Remembers at most 100 spellings.
 */
function unknownStatusReporter(logger: Logger): (status: string) => void {
  const seen = new Set<string>();
  return (status) => {
    if (seen.has(status) || seen.size >= 100) return;
    seen.add(status);
    logger.warn('MAVI sent a status this gateway does not know; it counts as still processing', {
      status: status.slice(0, 64),
    });
  };
}

/**
 * PUBLIC_URL must leave room, in the family's longest callback address, for the webhook
 * paths and a token (`suffixes`: each callback address without its base).
 */
function refuseLongCallbackUrls(
  publicUrl: string | undefined,
  maxChars: number | undefined,
  family: string,
  suffixes: string[],
): void {
  if (publicUrl === undefined || maxChars === undefined) return;
  const room = maxChars - Math.max(...suffixes.map((suffix) => suffix.length));
  if (publicUrl.length > room) {
    throw new ConfigError([
      `PUBLIC_URL is too long for MAVI_API=${family}: callback addresses may have ${maxChars} characters, so PUBLIC_URL at most ${room}`,
    ]);
  }
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

function requireKey(key: string | undefined): string {
  if (!key)
    throw new Error('MAVI_API_KEY is required to talk to MAVI (index.ts starts the simulator when it is unset).');
  return key;
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
