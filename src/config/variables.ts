/**
 * Every variable the gateway reads, each declared once, grouped as the configuration is.
 * docs/reference.md's table is printed from here (`npm run docs:reference`; a test compares).
 * Rules that span variables (STORE=redis needs REDIS_URL) are in ../config.ts.
 */
import { readClientKeys, readCorsOrigins } from './lists.js';
import {
  custom,
  flag,
  httpUrl,
  integer,
  oneOf,
  optionalInteger,
  optionalOneOf,
  optionalText,
  text,
} from './variable.js';

const GIB = 1024 ** 3;

/** A secret or token must be long enough not to be guessed; the problem never quotes it. */
const atLeast16 = (value: string) => (value.length < 16 ? 'must be at least 16 characters long' : undefined);

const upstream = {
  port: integer('PORT', { default: 4000, min: 0, max: 65535, meaning: 'listen port' }),
  host: text('HOST', {
    default: '127.0.0.1',
    meaning: 'listen address; `0.0.0.0` to accept connections from other machines',
  }),
  maviApiKey: optionalText('MAVI_API_KEY', {
    meaning: 'key for MAVI (sent raw in `Authorization`); unset runs the built-in simulator',
    shown: '(simulator)',
  }),
  maviApi: optionalOneOf('MAVI_API', ['original', 'v1'] as const, {
    meaning: 'which MAVI API family: `original` or `v1` (see [the API families](mavi-families.md))',
    shown: '`v1` when `MAVI_BASE_URL` is `https://api.memories.ai`, else `original`',
  }),
  maviBaseUrl: httpUrl('MAVI_BASE_URL', {
    meaning: "MAVI's address (the family adds its path)",
    shown: '`https://api.memories.ai` for `v1`, `https://mavi-backend.openinterx.com` for `original`',
  }),
  maviStreamBaseUrl: httpUrl('MAVI_STREAM_BASE_URL', {
    meaning: "MAVI's live-stream host (`/v1/understand/*`), for `startLiveAnalysis` (`v1` only)",
    shown: '`https://stream.memories.ai`; the simulator on the simulator',
  }),
  maviUploadsPerMinute: optionalInteger('MAVI_UPLOADS_PER_MINUTE', {
    meaning: 'uploads the gateway starts per minute, for all clients and (with Redis) all instances together',
    shown: 'unset: no limit',
  }),
  publicUrl: httpUrl('PUBLIC_URL', {
    meaning: 'the base URL at which MAVI can reach this gateway',
    shown: "the gateway's own address on the simulator; unset otherwise",
  }),
  webhookSecret: optionalText('WEBHOOK_SECRET', {
    meaning: 'secret for the callback tokens (16+ characters)',
    shown: 'random per process, with a warning',
    problem: atLeast16,
  }),
  maxUploadBytes: optionalInteger('MAX_UPLOAD_BYTES', {
    meaning: 'upload size limit, in bytes',
    shown:
      "`3000000000` (3 GB, MAVI's limit) for `v1`; `4294967296` (4 GiB) for `original`, whose limit is not documented",
  }),
  mavi: {
    callTimeoutMs: integer('MAVI_CALL_TIMEOUT_MS', {
      default: 60_000,
      min: 100,
      meaning:
        "the whole duration of one MAVI call other than an upload or a chat, from its start to its answer's last byte; past it the call is aborted (`MAVI_UNAVAILABLE`)",
    }),
    uploadAnswerTimeoutMs: integer('MAVI_UPLOAD_ANSWER_TIMEOUT_MS', {
      default: 120_000,
      min: 100,
      meaning:
        "how long MAVI may take to answer an upload, counted from the file's last byte sent (sending takes as long as the client does); past it the upload is aborted (`MAVI_UNAVAILABLE`)",
    }),
    maxAnswerBytes: integer('MAVI_MAX_ANSWER_BYTES', {
      default: 8 * 1024 * 1024,
      min: 64 * 1024,
      note: '8 MiB',
      meaning: 'the largest MAVI answer read; a larger one is refused unparsed (`MAVI_UNAVAILABLE`)',
    }),
  },
  statusPollIntervalMs: integer('STATUS_POLL_INTERVAL_MS', {
    default: 30_000,
    min: 100,
    meaning: 'how often to poll MAVI for pending videos',
  }),
  maviUploadContentLength: flag('MAVI_UPLOAD_CONTENT_LENGTH', {
    default: false,
    meaning:
      "`on` sends uploads to MAVI with a `Content-Length` instead of a chunked body (for an upstream that refuses chunked bodies; MAVI's docs do not say); clients must then declare their request's length, as curl and browsers do",
  }),
};

const storage = {
  redisUrl: optionalText('REDIS_URL', {
    meaning: 'Redis for running several instances (`redis://…`); needs `WEBHOOK_SECRET`',
    shown: 'unset: one instance',
    problem: (value) => (/^rediss?:\/\//.test(value) ? undefined : 'must start with redis:// or rediss://'),
  }),
  store: optionalOneOf('STORE', ['sqlite', 'memory', 'redis'] as const, {
    meaning:
      '`sqlite`, `memory` (SQLite on databases in memory: nothing kept) or `redis` (see [Storage](operations.md#storage))',
    shown: '`redis` with `REDIS_URL`, else `sqlite`',
  }),
  dataDir: optionalText('DATA_DIR', {
    meaning: 'the folder of the SQLite databases and of staged resumable uploads',
    shown:
      "`./data`; on the simulator (no `MAVI_API_KEY`) `./data/simulator-<family>`, so the simulator's videos never show up against real MAVI",
  }),
  sqliteSynchronous: oneOf('SQLITE_SYNCHRONOUS', ['full', 'normal'] as const, {
    default: 'full',
    meaning:
      '`full`: every commit synced to disk before it is answered; `normal`: left to the OS, synced at checkpoints',
  }),
  storeMaxBytes: integer('STORE_MAX_BYTES', {
    default: 128 * 1024 * 1024,
    min: 1024 * 1024,
    note: '128 MiB',
    meaning: 'size bound of the SQLite stores (on a file or in memory), in accounted bytes',
  }),
  redisCommandTimeoutMs: integer('REDIS_COMMAND_TIMEOUT_MS', {
    default: 2_000,
    min: 50,
    meaning:
      'a Redis command not answered within this fails (`STORE_UNAVAILABLE`, retryable); while Redis does not answer a PING within it, `/ready` answers 503',
  }),
  redisPrefix: text('REDIS_PREFIX', {
    default: 'mavi-gateway:',
    meaning: 'prefix of every Redis key and channel, so deployments can share a Redis',
  }),
};

const access = {
  gatewayApiKeys: custom('GATEWAY_API_KEYS', {
    default: [],
    shown: 'unset: see `GATEWAY_OPEN`',
    meaning:
      'comma-separated client keys (16+ characters each), each optionally named: `name:key` (name: letters, digits, `_ . -`, up to 64)',
    parse: (raw, report) => readClientKeys(raw, report, 'GATEWAY_API_KEYS'),
  }),
  serviceKeys: custom('GATEWAY_SERVICE_KEYS', {
    default: [],
    shown: 'unset: no service key',
    meaning:
      "the app's own servers' keys, in `GATEWAY_API_KEYS`' format (never give one to a client): a service caller sees and manages every video of the deployment, names owners (`videos(owner:)`, uploads on a user's behalf, `eraseOwner`), and has budgets of its own",
    parse: (raw, report) => readClientKeys(raw, report, 'GATEWAY_SERVICE_KEYS'),
  }),
  gatewayOpen: flag('GATEWAY_OPEN', {
    default: false,
    meaning:
      '`on`: serve without `GATEWAY_API_KEYS` or `AUTH_ISSUER`, so anyone may call, on purpose. In front of real MAVI (`MAVI_API_KEY` set), a start with neither and without this is refused, naming any variable that looks misspelt; the simulator is open by default',
  }),
  /** End users' tokens; AUTH_ISSUER turns them on (../config.ts checks the group as a whole). */
  auth: {
    issuer: optionalText('AUTH_ISSUER', {
      meaning:
        "end users' tokens: the OpenID provider's issuer, exactly as its tokens' `iss` says (https; http only on loopback). Tokens (`Authorization: Bearer <JWT>`, or `connectionParams.authorization` on websockets) are verified locally against its keys (docs/security.md)",
      shown: 'unset: client keys only',
    }),
    audience: optionalText('AUTH_AUDIENCE', {
      meaning:
        "the value every token's `aud` must contain (your app's client id or API identifier); required with `AUTH_ISSUER`",
    }),
    jwksUrl: optionalText('AUTH_JWKS_URL', {
      meaning:
        "where the provider's keys are, when not the `jwks_uri` of `AUTH_ISSUER`'s `/.well-known/openid-configuration`",
      shown: 'from discovery',
    }),
    userClaim: text('AUTH_USER_CLAIM', { default: 'sub', meaning: 'the claim that names the user' }),
    tenantClaim: optionalText('AUTH_TENANT_CLAIM', {
      meaning: "the claim that names the user's tenant (an organisation); a token without it is refused",
      shown: 'unset: one tenant',
    }),
    adminScope: text('AUTH_ADMIN_SCOPE', {
      default: 'videos:admin',
      meaning:
        "the scope (in `scope`, `scp` or `permissions`) of a tenant's administrators: they see and manage every video of their tenant",
    }),
    jwksCooldownMs: integer('AUTH_JWKS_COOLDOWN_MS', {
      default: 30_000,
      min: 0,
      meaning:
        "a token signed with a key id the gateway does not know refreshes the provider's keys at most this often",
    }),
    clockToleranceSeconds: integer('AUTH_CLOCK_TOLERANCE_SECONDS', {
      default: 30,
      min: 0,
      max: 300,
      meaning:
        "skew allowed between the provider's clock and the gateway's, for `exp`, `nbf` and `iat`, on HTTP and websockets alike (0 to 300)",
    }),
    webClientId: optionalText('AUTH_WEB_CLIENT_ID', {
      meaning:
        "the web app's public client at the provider (authorization code with PKCE, redirect URI: the gateway's `/`): with it, the web app at `/` signs users in",
      shown: 'unset: the web app asks for a client key',
    }),
  },
  devIdentityProvider: flag('DEV_IDENTITY_PROVIDER', {
    default: false,
    meaning:
      '`on`: `npm start` on the simulator also runs a development OpenID provider, and the web app signs in under any name (each name is a user). Refused with `MAVI_API_KEY` or `AUTH_ISSUER`',
  }),
  devIdentityTokenSeconds: integer('DEV_IDENTITY_PROVIDER_TOKEN_SECONDS', {
    default: 300,
    min: 10,
    max: 86_400,
    meaning:
      "how long the development provider's access tokens live (the web app refreshes them halfway, or a minute before they expire)",
  }),
  maviPartition: oneOf('MAVI_PARTITION', ['app', 'tenant', 'user'] as const, {
    default: 'user',
    meaning:
      "what a signed-in user's uploads are partitioned by at MAVI (the successor family's `unique_id`): `user`, `tenant` or `app`; a digest, never the claim. Each video keeps the partition it was uploaded under. Client keys keep a partition of their own",
  }),
  corsOrigins: custom<'*' | readonly string[]>('CORS_ORIGINS', {
    default: '*',
    shown: '`*`',
    meaning:
      'origins whose browser apps may call the gateway: `*` or a comma-separated list (`https://app.example.com,http://localhost:5173`); applied to every answer, refusals included; credentials are never allowed (keys are headers, not cookies)',
    parse: readCorsOrigins,
  }),
};

/** The bounds every client, socket and upstream call meets (docs/security.md#limits). */
const limits = {
  shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', {
    default: 30_000,
    min: 0,
    meaning: 'how long a shutdown lets uploads finish',
  }),
  requestBodyTimeoutMs: integer('REQUEST_BODY_TIMEOUT_MS', {
    default: 30_000,
    min: 100,
    meaning:
      "how long a request's body (an upload's `operations` and `map`) may take to arrive before the connection is dropped",
  }),
  maxConcurrentUploadsPerKey: integer('MAX_CONCURRENT_UPLOADS_PER_KEY', {
    default: 4,
    min: 1,
    meaning: 'uploads one client key may run at once',
  }),
  rateLimits: {
    search: integer('RATE_LIMIT_SEARCH_PER_MINUTE', {
      default: 30,
      min: 1,
      meaning: '`searchVideos` and `searchClips` per client and minute (see [Costs](api.md#costs))',
    }),
    chat: integer('RATE_LIMIT_CHAT_PER_MINUTE', {
      default: 10,
      min: 1,
      meaning: '`chat` answers per client and minute',
    }),
    transcript: integer('RATE_LIMIT_TRANSCRIPT_PER_MINUTE', {
      default: 30,
      min: 1,
      meaning: '`transcript` and `transcriptReady` requests per client and minute',
    }),
  },
  appRateLimits: {
    search: optionalInteger('RATE_LIMIT_APP_SEARCH_PER_MINUTE', {
      meaning:
        "`RATE_LIMIT_SEARCH_PER_MINUTE`'s budget for all clients and users together, beside each one's own: one user within their own budget cannot spend everyone's",
      shown: 'unset: no app-wide cap',
    }),
    chat: optionalInteger('RATE_LIMIT_APP_CHAT_PER_MINUTE', {
      meaning: "`RATE_LIMIT_CHAT_PER_MINUTE`'s budget for all clients and users together",
      shown: 'unset: no app-wide cap',
    }),
    transcript: optionalInteger('RATE_LIMIT_APP_TRANSCRIPT_PER_MINUTE', {
      meaning: "`RATE_LIMIT_TRANSCRIPT_PER_MINUTE`'s budget for all clients and users together",
      shown: 'unset: no app-wide cap',
    }),
  },
  // MAVI runs at most 4 streams per key, shared by every user of the app (memories-api.md §2.15).
  live: {
    streamsPerOwner: integer('LIVE_STREAMS_PER_OWNER', {
      default: 1,
      min: 1,
      meaning: 'live analyses one owner may run at once (`LIVE_CAPACITY_FULL` beyond)',
    }),
    maxStreams: integer('LIVE_STREAMS_MAX', {
      default: 4,
      min: 1,
      note: "MAVI's limit per key",
      meaning: 'live analyses the gateway runs at once, for all owners and (with Redis) all instances together',
    }),
    silenceTimeoutMs: integer('LIVE_SILENCE_TIMEOUT_MS', {
      default: 60_000,
      min: 100,
      note: 'MAVI sends a result about every 5 s',
      meaning: 'a live analysis with no result for this long is stopped (`SILENT`) and its stream given back',
    }),
    maxResultBytes: integer('LIVE_RESULT_MAX_BYTES', {
      default: 64 * 1024,
      min: 1024,
      note: '64 KiB',
      meaning: "the largest live result body taken from MAVI (413 beyond); it is kept whole as the event's `raw`",
    }),
  },
  // Real answers take seconds and a few KiB; these bounds stop an upstream that never ends.
  chat: {
    maxAnswerMs: integer('CHAT_MAX_ANSWER_MS', {
      default: 5 * 60_000,
      min: 100,
      note: '5 minutes; real answers take seconds',
      meaning:
        "how long one `chat` answer may stream before it is cut (`CHAT_ANSWER_TOO_LONG`) and MAVI's request aborted",
    }),
    maxAnswerBytes: integer('CHAT_MAX_ANSWER_BYTES', {
      default: 1024 * 1024,
      min: 1024,
      note: '1 MiB; real answers carry a few KiB',
      meaning: 'how many bytes of pieces one `chat` answer may carry before it is cut the same way',
    }),
  },
  websocket: {
    // The JSON body cap (256 KiB) and room for the frame's envelope: no legitimate message is larger.
    maxPayloadBytes: integer('WS_MAX_PAYLOAD_BYTES', {
      default: 264 * 1024,
      min: 1024,
      note: '264 KiB: the JSON body cap and room',
      meaning: 'the largest websocket frame read; a larger one closes the socket (1009) before it is held',
    }),
    initTimeoutMs: integer('WS_INIT_TIMEOUT_MS', {
      default: 3_000,
      min: 100,
      meaning: 'a websocket that sends no `connection_init` within this is closed (4408)',
    }),
    pingIntervalMs: integer('WS_PING_INTERVAL_MS', {
      default: 12_000,
      min: 100,
      meaning:
        'server pings; a socket that has not answered the previous one is terminated and its subscriptions freed',
    }),
    maxSubscriptionsPerSocket: integer('WS_MAX_SUBSCRIPTIONS_PER_SOCKET', {
      default: 1_000,
      min: 1,
      meaning: 'one more closes the socket with 4429',
    }),
    maxSocketsPerClient: integer('WS_MAX_SOCKETS_PER_CLIENT', {
      default: 20_000,
      min: 1,
      meaning: 'open websockets per client key, per instance; one more is closed with 4429',
    }),
  },
  sseMaxStreamsPerClient: integer('SSE_MAX_STREAMS_PER_CLIENT', {
    default: 20_000,
    min: 1,
    meaning: 'open SSE subscriptions per client key, per instance; one more is `TOO_MANY_SUBSCRIPTIONS`',
  }),
  webhookFailuresPerMinute: integer('WEBHOOK_FAILURES_PER_MINUTE', {
    default: 300,
    min: 1,
    meaning:
      'failed callback requests (no or a forged token, wrong method) one source address may send; past it, 429 for those; a genuine token is never refused for it',
  }),
  quotas: {
    operationsPerMinute: integer('OPERATIONS_PER_MINUTE', {
      default: 6_000,
      min: 1,
      meaning: 'GraphQL operations per client key (`RATE_LIMITED`)',
    }),
    uploadsPerHour: integer('UPLOADS_PER_HOUR', {
      default: 1_000,
      min: 1,
      meaning: 'uploads per client key (`RATE_LIMITED`, HTTP 429 and `Retry-After`, before the body is read)',
    }),
    uploadBytesPerDay: integer('UPLOAD_BYTES_PER_DAY', {
      default: 1024 * GIB,
      min: 1,
      note: '1 TiB',
      meaning: 'upload bytes per client key; an upload whose declared size does not fit is refused',
    }),
  },
  uploadIdleTimeoutMs: integer('UPLOAD_IDLE_TIMEOUT_MS', {
    default: 60_000,
    min: 100,
    meaning:
      'an upload whose body sends no byte for this long while the gateway reads it is cut (a gap, not a rate: a slow live upload is never cut; waiting on MAVI does not count)',
  }),
};

/** Resumable uploads (tus at /uploads); STAGING_S3_BUCKET turns S3-compatible staging on. */
const staging = {
  enabled: flag('RESUMABLE_UPLOADS', {
    default: true,
    meaning: '`off` serves no `/uploads` (tus); see [Resumable uploads](resumable-uploads.md)',
  }),
  s3: {
    bucket: optionalText('STAGING_S3_BUCKET', {
      meaning:
        'stage resumable uploads in this S3 bucket instead of `DATA_DIR/staging`; required for `/uploads` with several instances (`REDIS_URL`)',
      shown: 'unset: files under `DATA_DIR`',
    }),
    endpoint: httpUrl('STAGING_S3_ENDPOINT', {
      meaning: "an S3-compatible service's URL (MinIO, R2, Ceph…); path-style addressing",
      shown: 'unset: AWS S3',
    }),
    region: text('STAGING_S3_REGION', { default: 'us-east-1', meaning: "the bucket's region" }),
    accessKeyId: optionalText('STAGING_S3_ACCESS_KEY_ID', {
      meaning: "the bucket's key id, set with `STAGING_S3_SECRET_ACCESS_KEY` or not at all",
      shown: "unset: the AWS SDK's own chain (environment, instance role)",
    }),
    secretAccessKey: optionalText('STAGING_S3_SECRET_ACCESS_KEY', {
      meaning: "the bucket's secret key, set with `STAGING_S3_ACCESS_KEY_ID` or not at all",
      shown: "unset: the AWS SDK's own chain",
    }),
  },
  expiryMs: integer('STAGED_UPLOAD_EXPIRY_MS', {
    default: 24 * 60 * 60 * 1000,
    min: 1_000,
    note: '24 h',
    meaning:
      'a resumable upload not finished this long after its creation is removed with its bytes (`UPLOAD_EXPIRED`); a finished one is retried at MAVI this long',
  }),
  // An hour without a byte: long enough for a phone to ride out a dead zone, short enough that
  // reservations nobody uses (creations without bodies) do not hold the budget (docs/resumable-uploads.md).
  idleExpiryMs: integer('STAGING_IDLE_EXPIRY_MS', {
    default: 60 * 60 * 1000,
    min: 1_000,
    note: '1 h',
    meaning:
      'a resumable upload that receives no byte this long is removed with its bytes (`UPLOAD_EXPIRED`), giving its place in the bounds back',
  }),
  maxUploadsPerOwner: integer('STAGING_MAX_UPLOADS_PER_OWNER', {
    default: 5,
    min: 1,
    meaning: 'resumable uploads one owner may have staged at once (receiving or being forwarded)',
  }),
  // One largest file (4 GiB, the original family's): 25 owners, not 5, to fill the default budget.
  maxBytesPerOwner: integer('STAGING_MAX_BYTES_PER_OWNER', {
    default: 4 * GIB,
    min: 1,
    note: '4 GiB',
    meaning:
      "the declared bytes one owner's staged uploads may hold together (one largest file: a few owners cannot fill the budget)",
  }),
  maxBytes: integer('STAGING_MAX_BYTES', {
    default: 100 * GIB,
    min: 1,
    note: '100 GiB',
    meaning: 'the declared bytes all staged uploads may hold together',
  }),
  minFreeBytes: integer('STAGING_MIN_FREE_BYTES', {
    default: 2 * GIB,
    min: 0,
    note: '2 GiB',
    meaning: 'a new resumable upload must leave this much free on the staging disk (`DATA_DIR` staging only)',
  }),
};

/** Standard Webhooks' retry schedule: the delay before each retry (the first attempt is at once). */
const STANDARD_RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];

/** The app's own backend: signed webhooks for every event (docs/app-backend.md). */
const appWebhook = {
  url: httpUrl('APP_WEBHOOK_URL', {
    meaning:
      "the app's backend endpoint that receives every event (`video.registered`, `video.status_changed`, …), signed per Standard Webhooks; needs `APP_WEBHOOK_SECRET`",
    shown: 'unset: no webhooks',
  }),
  secret: optionalText('APP_WEBHOOK_SECRET', {
    meaning:
      'the signing secret, `whsec_` and base64 of 24 to 64 random bytes; several, space-separated, while one rotates (each signs)',
    problem: (value) =>
      value.split(/\s+/).every(isWebhookSecret)
        ? undefined
        : 'must be whsec_ followed by the base64 of 24 to 64 bytes (several: separated by spaces)',
  }),
  allowPrivate: flag('APP_WEBHOOK_ALLOW_PRIVATE', {
    default: false,
    meaning:
      '`on` lets the endpoint be on a loopback, private or link-local address (checked where each connection is made, so a changing DNS answer cannot get around it)',
  }),
  timeoutMs: integer('APP_WEBHOOK_TIMEOUT_MS', {
    default: 15_000,
    min: 100,
    meaning: 'one attempt may take this long, answer included; past it the attempt is cut and retried',
  }),
  retryDelaysMs: custom('APP_WEBHOOK_RETRY_DELAYS_MS', {
    default: STANDARD_RETRY_DELAYS_MS,
    shown: "Standard Webhooks': 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (±10 % jitter)",
    meaning:
      'comma-separated delays before each retry of a failed delivery (the first attempt is at once); a delivery that fails through them all fails for good and disables the endpoint',
    parse: (raw, report) => {
      const delays = raw.split(',').map((entry) => Number(entry.trim()));
      if (delays.every((delay) => Number.isInteger(delay) && delay >= 0)) return delays;
      report(`APP_WEBHOOK_RETRY_DELAYS_MS must be whole numbers of milliseconds separated by commas, got "${raw}"`);
      return STANDARD_RETRY_DELAYS_MS;
    },
  }),
  concurrency: integer('APP_WEBHOOK_CONCURRENCY', {
    default: 4,
    min: 1,
    max: 100,
    meaning: 'deliveries to the endpoint under way at once, per instance',
  }),
  maxBacklog: integer('APP_WEBHOOK_MAX_BACKLOG', {
    default: 10_000,
    min: 1,
    meaning:
      'deliveries queued for the endpoint at most; further events wait in the event log (kept 7 days) until the backlog drains',
  }),
};

/** A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 bytes. */
function isWebhookSecret(value: string): boolean {
  const encoded = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value)?.[1];
  if (encoded === undefined) return false;
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

const observability = {
  logLevel: oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, {
    default: 'info',
    meaning: '`debug`, `info`, `warn` or `error`',
  }),
  logFormat: optionalOneOf('LOG_FORMAT', ['json', 'pretty'] as const, {
    meaning: '`json` (one JSON object per line) or `pretty` (readable)',
    shown: '`pretty` on a terminal, else `json`',
  }),
  metricsToken: optionalText('METRICS_TOKEN', {
    meaning: 'bearer token for `GET /metrics` (16+ characters); unset: no `/metrics`',
    problem: (value) =>
      value.length < 16 || /\s/.test(value) ? 'must be at least 16 characters long, without spaces' : undefined,
  }),
  otelEndpoint: httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', {
    meaning: 'OTLP/HTTP endpoint for traces (`/v1/traces` is added)',
    shown: 'unset: no tracing',
  }),
  otelServiceName: text('OTEL_SERVICE_NAME', {
    default: 'mavi-graphql-gateway',
    meaning: 'the service name on traces',
  }),
  introspection: flag('INTROSPECTION', {
    default: true,
    meaning:
      '`off` serves no GraphiQL and refuses introspection (for production); `on` answers introspection without a key (only introspection)',
  }),
};

export const VARIABLES = { ...upstream, ...storage, ...access, ...limits, staging, appWebhook, ...observability };
