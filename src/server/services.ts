/**
 * The gateway's domain objects, built from the configuration: MAVI's client, the stores and
 * buses (backends.ts), who callers are, and the services every route and resolver uses. No
 * server and no listening here: gateway.ts wires these to node:http, Yoga and graphql-ws, and
 * starts and stops them.
 */
import { createCallbackTokens } from '../auth/callback-tokens.js';
import { createClientKeys } from '../auth/client-keys.js';
import { createUserTokens } from '../auth/user-tokens.js';
import { ConfigError, type GatewayConfig } from '../config.js';
import { callbackUrl, liveCallbackUrl, transcriptCallbackUrl, UPLOADS_PATH } from '../edge/paths.js';
import { ImageLibrary } from '../images/image-library.js';
import { LiveAnalyses, type LiveEvent } from '../live/live-analyses.js';
import { EventBus, type EventTransport } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import { createMaviApi } from '../mavi/connect.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { Forwarding } from '../staging/forwarding.js';
import type { ProgressEvent } from '../staging/progress-feed.js';
import { ResumableUploads } from '../staging/resumable-uploads.js';
import type { StagedUpload } from '../staging/staged-upload.js';
import { StagingService } from '../staging/staging-service.js';
import { openStagingStore } from '../staging/staging-store.js';
import { StatusPoller, type StatusPollerOptions } from '../status/status-poller.js';
import { EVENT_LOG_TOPIC, STATUS_TOPIC, StatusService } from '../status/status-service.js';
import type { StatusEvent } from '../status/status-store.js';
import { Uploads } from '../upload/upload-video.js';
import type { HostResolver } from '../net/public-url.js';
import { Chats } from '../videos/chat.js';
import { TRANSCRIPT_TOPIC, Transcripts, type TranscriptDone } from '../videos/transcripts.js';
import { VideoLibrary } from '../videos/video-library.js';
import { Erasures } from '../videos/erasures.js';
import { AppWebhooks } from '../webhooks/app-webhooks.js';
import { WebhookSender } from '../webhooks/webhook-sender.js';
import { createBackends, type Backends } from './backends.js';

/** Resumable uploads' topics on the event bus. */
const STAGING_TOPIC = 'staged-upload:';
/** Live analyses' topics on the event bus. */
const LIVE_TOPIC = 'live:';
/** Staged files one instance sends to MAVI at once. */
const FORWARDING_WORKERS = 2;

/** What tests may set of the services (gateway.ts GatewayOptions). */
export interface ServiceOptions {
  /** How status events travel; in memory unless given (Redis, or a test's recorder). */
  events?: EventTransport;
  /** Resolves the host names of uploadVideoFromUrl's URLs (the DNS unless given: tests name hosts of their own). */
  resolveHost?: HostResolver;
  /** Fine-tuning of the polling fallback (tests shorten its thresholds). */
  polling?: Partial<Omit<StatusPollerOptions, 'intervalMs' | 'pollAll'>>;
  /** How long an erasure waits before it tries again (tests shorten it). */
  erasureRetryMs?: number;
}

export interface ServiceContext {
  config: GatewayConfig;
  options: ServiceOptions;
  logger: Logger;
  metrics: GatewayMetrics;
  webhookSecret: string;
  /** Where MAVI calls back, once known (PUBLIC_URL, or the gateway's own address on the simulator). */
  callbackBaseUrl: () => string | undefined;
}

export function createServices(context: ServiceContext) {
  const { config, options, logger, metrics, webhookSecret, callbackBaseUrl } = context;
  const reportUnknownStatus = unknownStatusReporter(logger);
  /** A route's callback URL for a token, once the base MAVI can reach is known (else undefined). */
  const callbackUrlsOf =
    (route: (base: string, token: string) => string) =>
    (token: string): string | undefined => {
      const base = callbackBaseUrl();
      return base === undefined ? undefined : route(base, token);
    };
  const mavi = createMaviApi({
    family: config.maviApi,
    baseUrl: config.maviBaseUrl,
    streamBaseUrl: config.maviStreamBaseUrl,
    apiKey: requireKey(config.maviApiKey),
    onUnknownStatus: reportUnknownStatus,
    metrics,
    logger,
    ...config.mavi,
  });
  const tokens = createCallbackTokens(webhookSecret);
  const transcriptTokens = createCallbackTokens(webhookSecret, 'transcript');
  const liveTokens = createCallbackTokens(webhookSecret, 'live');
  // What the family takes decides two settings (checked before anything is opened). The 299
  // characters are the upload's documented limit; the stream host documents none for its callback.
  const maxUploadBytes = config.maxUploadBytes ?? mavi.capabilities.maxUploadBytes;
  refuseLongCallbackUrls(config.publicUrl, mavi.capabilities.maxCallbackUrlChars, config.maviApi, [
    callbackUrl('', tokens.mint().token),
    ...(mavi.transcripts.mode === 'task' ? [transcriptCallbackUrl('', transcriptTokens.mint().token)] : []),
  ]);
  const backends = createBackends(config, logger, { events: options.events });
  const appWebhooks = createAppWebhooks(config, backends, options.resolveHost, logger, metrics);
  const events = new EventBus<StatusEvent>(backends.events, `${backends.topicNamespace}${STATUS_TOPIC}`, () =>
    metrics.eventsPublished.inc({ kind: 'status' }),
  );
  const logSignals = new EventBus<true>(backends.events, `${backends.topicNamespace}${EVENT_LOG_TOPIC}`);
  const status = new StatusService(backends.store, events, logSignals);
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
    callbackUrlFor: callbackUrlsOf(callbackUrl),
    resolveHost: options.resolveHost,
    metrics,
    quotas: backends.cost,
  });
  const library = new VideoLibrary({ mavi, status, cost: backends.cost, logger });
  const images = new ImageLibrary({ mavi, store: backends.images, videos: library, cost: backends.cost, logger });
  const live = new LiveAnalyses({
    mavi,
    records: backends.records,
    events: new EventBus<LiveEvent>(backends.events, `${backends.topicNamespace}${LIVE_TOPIC}`, () =>
      metrics.eventsPublished.inc({ kind: 'live' }),
    ),
    tokens: liveTokens,
    callbackUrlFor: callbackUrlsOf(liveCallbackUrl),
    limits: config.live,
    logger,
    announce: async (id, type, data) => {
      await appWebhooks?.sendEvent(id, type, data);
    },
    resolveHost: options.resolveHost,
  });
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
    callbackUrlFor: callbackUrlsOf(transcriptCallbackUrl),
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
    const service = new StagingService(
      ledger,
      progress,
      (upload) =>
        appWebhooks?.sendEvent(`msg_upload_failed_${upload.id}`, 'upload.failed', uploadFailedData(upload)) ??
        Promise.resolve(),
    );
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

  const erasures = new Erasures({
    status,
    mavi,
    records: backends.records,
    logger,
    shared: config.store === 'redis',
    retryMs: options.erasureRetryMs,
    leftovers: {
      stagedUploads: resumableUploads && ((ownerId) => resumableUploads.eraseOwner(ownerId)),
      chatSessions: (ownerId) => chats.forgetOwner(ownerId),
      images: (ownerId) => images.eraseOwner(ownerId),
      liveAnalyses: (ownerId) => live.stopOwner(ownerId),
      transcripts: (videoNo) => transcripts.forget(videoNo),
    },
    announce: async (erasure) => {
      await appWebhooks?.sendEvent(`msg_erased_${erasure.id}`, 'owner.erased', {
        erasureId: erasure.id,
        state: erasure.state,
        owner: erasure.owner.names ?? null,
        videoNos: erasure.deleted,
        refusedVideoNos: Object.keys(erasure.refused),
        stagedUploadsDeleted: erasure.stagedUploadsDeleted ?? 0,
        chatSessionsDeleted: erasure.chatSessionsDeleted ?? 0,
        imagesDeleted: erasure.imagesDeleted ?? 0,
        liveAnalysesStopped: erasure.liveAnalysesStopped ?? 0,
        passthrough: null,
      });
    },
  });

  return {
    mavi,
    reportUnknownStatus,
    appWebhooks,
    erasures,
    tokens,
    transcriptTokens,
    liveTokens,
    images,
    live,
    maxUploadBytes,
    backends,
    events,
    status,
    clientKeys,
    userTokens,
    open,
    uploads,
    library,
    chats,
    transcripts,
    resumableUploads,
    poller,
  };
}

/** The app's webhook endpoints (APP_WEBHOOK_URL, and those service callers make), or undefined when there can be none. */
function createAppWebhooks(
  config: GatewayConfig,
  backends: Backends,
  resolveHost: HostResolver | undefined,
  logger: Logger,
  metrics: GatewayMetrics,
): AppWebhooks | undefined {
  const { appWebhook } = config;
  if (!backends.deliveries) return undefined;
  return new AppWebhooks({
    store: backends.store,
    queue: backends.deliveries,
    sender: new WebhookSender({
      allowPrivate: appWebhook.allowPrivate,
      timeoutMs: appWebhook.timeoutMs,
      connections: appWebhook.concurrency,
    }),
    configured: appWebhook.endpoint,
    delivery: {
      retryDelaysMs: appWebhook.retryDelaysMs,
      // A claimed delivery is this instance's for one attempt and a margin: then another may take it.
      leaseMs: appWebhook.timeoutMs + 5_000,
      concurrency: appWebhook.concurrency,
      maxBacklog: appWebhook.maxBacklog,
      allowPrivate: appWebhook.allowPrivate,
    },
    resolveHost,
    logger,
    metrics,
  });
}

/** upload.failed's data: the upload, why it failed, its owner and passthrough (docs/app-backend.md). */
function uploadFailedData(upload: StagedUpload): Record<string, unknown> {
  return {
    uploadId: upload.id,
    fileName: upload.fileName,
    length: upload.length,
    errorCode: upload.errorCode ?? null,
    errorMessage: upload.errorMessage ?? null,
    owner: upload.names ?? null,
    passthrough: upload.passthrough ?? null,
  };
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

function requireKey(key: string | undefined): string {
  if (!key)
    throw new Error('MAVI_API_KEY is required to talk to MAVI (index.ts starts the simulator when it is unset).');
  return key;
}
