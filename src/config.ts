/**
 * The only reader of process.env. Every setting is validated once, at start, and
 * an error names the variable that is wrong, so a bad deployment fails loudly
 * instead of misbehaving later.
 */

/** The original family's host; the default when neither MAVI_API nor MAVI_BASE_URL says otherwise. */
export const DEFAULT_MAVI_BASE_URL = 'https://mavi-backend.openinterx.com';
/** The successor family's host (MAVI_API=v1). */
const V1_MAVI_BASE_URL = 'https://api.memories.ai';
const GIB = 1024 ** 3;

export interface GatewayConfig {
  /** Listen port; 0 picks a free one (the tests do). */
  readonly port: number;
  /** Listen address. Loopback by default: exposing the gateway is a deliberate choice. */
  readonly host: string;
  /** MAVI key. Unset: the gateway runs against an in-process MAVI simulator. */
  readonly maviApiKey: string | undefined;
  readonly maviBaseUrl: string;
  /** Base URL at which MAVI reaches this gateway; unset means MAVI cannot call back. */
  readonly publicUrl: string | undefined;
  /** Key for the per-upload callback tokens. Unset: a random one per process. */
  readonly webhookSecret: string | undefined;
  /** MAX_UPLOAD_BYTES; undefined: the MAVI family's own limit (its capabilities, mavi/). */
  readonly maxUploadBytes: number | undefined;
  readonly statusPollIntervalMs: number;
  readonly redisUrl: string | undefined;
  /** Where statuses are kept: SQLite on disk (one instance), SQLite in memory (throwaway), Redis (several instances). */
  readonly store: 'sqlite' | 'memory' | 'redis';
  /** The folder of the SQLite databases and staged uploads: DATA_DIR, else ./data (./data/simulator-<family> on the simulator). */
  readonly dataDir: string;
  /** SQLite's `synchronous`: full syncs every commit to disk; normal leaves the last commits to the OS. */
  readonly sqliteSynchronous: 'full' | 'normal';
  /** The size bound of the SQLite stores (on disk or in memory), in accounted bytes. */
  readonly storeMaxBytes: number;
  /** A Redis command not answered within this fails (STORE_UNAVAILABLE), and the instance reports not ready. */
  readonly redisCommandTimeoutMs: number;
  /** Prefix of every Redis key and channel, so that several deployments can share one Redis. */
  readonly redisPrefix: string;
  /** Client keys, each with its name when it has one; empty (and no AUTH_ISSUER) means the gateway is open. */
  readonly gatewayApiKeys: readonly ClientKey[];
  /** End users' tokens (JWTs from the app's OpenID provider), when AUTH_ISSUER is set. */
  readonly auth: UserTokenConfig | undefined;
  /** MAVI_PARTITION: what a signed-in user's uploads are partitioned by at MAVI (the successor's unique_id). */
  readonly maviPartition: MaviPartition;
  /** DEV_IDENTITY_PROVIDER: `npm start` on the simulator runs a development OpenID provider (never with a MAVI key). */
  readonly devIdentityProvider: boolean;
  /** DEV_IDENTITY_PROVIDER_TOKEN_SECONDS: how long the development provider's access tokens live. */
  readonly devIdentityTokenSeconds: number;
  /** Which MAVI API family the gateway speaks. */
  readonly maviApi: 'original' | 'v1';
  /** Uploads the gateway starts per minute, for all clients together (MAVI limits per account); unset: no limit. */
  readonly maviUploadsPerMinute: number | undefined;
  /** How long a request's body may take to arrive (an upload's: its operations and map) before the connection is dropped. */
  readonly requestBodyTimeoutMs: number;
  /** How long a shutdown waits for in-flight uploads before cutting them. */
  readonly shutdownTimeoutMs: number;
  /** Uploads one client key may run at once. */
  readonly maxConcurrentUploadsPerKey: number;
  /** Send uploads to MAVI with Content-Length instead of chunked (the client must declare its length). */
  readonly maviUploadContentLength: boolean;
  /** Websocket limits: frame size, connection_init deadline, ping period, subscriptions per socket, sockets per client. */
  readonly websocket: {
    readonly maxPayloadBytes: number;
    readonly initTimeoutMs: number;
    readonly pingIntervalMs: number;
    readonly maxSubscriptionsPerSocket: number;
    readonly maxSocketsPerClient: number;
  };
  /** Origins whose browser apps may call the gateway (CORS): `*` (any) or a list. */
  readonly corsOrigins: '*' | readonly string[];
  /** Open SSE subscription streams one client may hold. */
  readonly sseMaxStreamsPerClient: number;
  /** Failed webhook requests (bad token, bad body) one source address may send per minute before it gets 429. */
  readonly webhookFailuresPerMinute: number;
  /** Per-client quotas over time: uploads an hour, upload bytes a day, GraphQL operations a minute. */
  readonly quotas: {
    readonly uploadsPerHour: number;
    readonly uploadBytesPerDay: number;
    readonly operationsPerMinute: number;
  };
  /** An upload whose body sends no byte for this long is cut (a gap, not a rate: a slow live upload keeps going). */
  readonly uploadIdleTimeoutMs: number;
  /** Bounds on every MAVI call: its answer's size, its whole duration, and an upload's answer after its last byte. */
  readonly mavi: {
    readonly maxAnswerBytes: number;
    readonly callTimeoutMs: number;
    readonly uploadAnswerTimeoutMs: number;
  };
  /** One chat answer's bounds: how long it may stream and how many bytes it may carry before it is cut. */
  readonly chat: { readonly maxAnswerMs: number; readonly maxAnswerBytes: number };
  /** Per client and minute: searches (searchVideos, searchClips), chats, and transcript requests. */
  readonly rateLimits: { readonly search: number; readonly chat: number; readonly transcript: number };
  /** The same, for all clients and users together (RATE_LIMIT_APP_*_PER_MINUTE); undefined: no app-wide cap. */
  readonly appRateLimits: {
    readonly search: number | undefined;
    readonly chat: number | undefined;
    readonly transcript: number | undefined;
  };
  /** Resumable uploads (tus at /uploads): where their bytes are staged, their bounds, and how long an unfinished one lives. */
  readonly staging: StagingConfig;
  /** Where OpenTelemetry traces go (OTLP/HTTP); unset: no tracing, nothing loaded. */
  readonly otelEndpoint: string | undefined;
  /** The service name traces carry. */
  readonly otelServiceName: string;
  /** Bearer token that GET /metrics requires; unset: /metrics is not served. */
  readonly metricsToken: string | undefined;
  /** The least severe level logged. */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** JSON lines, or readable lines; unset: readable only when stdout is a terminal. */
  readonly logFormat: 'json' | 'pretty' | undefined;
  /** Serve GraphiQL and answer introspection (turn off for production deployments). */
  readonly introspection: boolean;
  /** Variables that look like this gateway's but are not (a misspelling): warned about at start, with a suggestion. */
  readonly unrecognizedVariables: readonly { name: string; suggestion: string | undefined }[];
}

export interface StagingConfig {
  /** RESUMABLE_UPLOADS: serve /uploads (on by default). */
  readonly enabled: boolean;
  /** STAGING_S3_*: stage in S3-compatible object storage (required with several instances); unset: under DATA_DIR. */
  readonly s3: StagingS3Config | undefined;
  /** STAGED_UPLOAD_EXPIRY_MS: an upload not finished this long after its creation is removed, bytes and all. */
  readonly expiryMs: number;
  /** STAGING_IDLE_EXPIRY_MS: an upload that receives no byte for this long is removed too, giving its place back. */
  readonly idleExpiryMs: number;
  /** STAGING_MAX_UPLOADS_PER_OWNER: uploads one owner may have staged at once (receiving or forwarding). */
  readonly maxUploadsPerOwner: number;
  /** STAGING_MAX_BYTES_PER_OWNER: the declared bytes one owner's staged uploads may hold together. */
  readonly maxBytesPerOwner: number;
  /** STAGING_MAX_BYTES: the declared bytes all staged uploads may hold together. */
  readonly maxBytes: number;
  /** STAGING_MIN_FREE_BYTES: a new upload must leave at least this much free on the staging disk (DATA_DIR staging). */
  readonly minFreeBytes: number;
}

interface StagingS3Config {
  readonly bucket: string;
  /** An S3-compatible service's URL; unset: AWS S3 itself. */
  readonly endpoint: string | undefined;
  readonly region: string;
  /** Unset: the AWS SDK's own credential chain (environment, instance role). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

/** A partition per app (all its users share one), per tenant, or per user. */
export type MaviPartition = 'app' | 'tenant' | 'user';

export interface UserTokenConfig {
  /** AUTH_ISSUER: the `iss` every token must carry, exactly; its discovery document names the keys. */
  readonly issuer: string;
  /** AUTH_AUDIENCE: a value the token's `aud` must contain. */
  readonly audience: string;
  /** AUTH_JWKS_URL: the provider's keys, when not taken from the discovery document. */
  readonly jwksUrl: string | undefined;
  /** AUTH_USER_CLAIM: the claim that names the user (default `sub`). */
  readonly userClaim: string;
  /** AUTH_TENANT_CLAIM: the claim that names the user's tenant; unset, the whole app is one tenant. */
  readonly tenantClaim: string | undefined;
  /** AUTH_ADMIN_SCOPE: the scope that lets a token see and manage every video of its tenant. */
  readonly adminScope: string;
  /** AUTH_JWKS_COOLDOWN_MS: a token with an unknown key id refreshes the keys at most this often. */
  readonly jwksCooldownMs: number;
  /** AUTH_CLOCK_TOLERANCE_SECONDS: skew allowed between the provider's clock and ours, on HTTP and websockets alike. */
  readonly clockToleranceSeconds: number;
  /** AUTH_WEB_CLIENT_ID: the web app's public client at the provider; with it, the web app signs users in. */
  readonly webClientId: string | undefined;
}

/** A client's name: what may stand before the colon in `name:key` (and is used as MAVI's unique_id). */
const CLIENT_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export interface ClientKey {
  key: string;
  name?: string;
}

/** Reads one GATEWAY_API_KEYS entry: `name:key` when what precedes the first colon is a name, else a bare key. */
function parseClientKey(entry: string): ClientKey {
  const colon = entry.indexOf(':');
  const name = colon > 0 ? entry.slice(0, colon) : undefined;
  return name !== undefined && CLIENT_NAME_PATTERN.test(name) ? { name, key: entry.slice(colon + 1) } : { key: entry };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): GatewayConfig {
  return readConfig(env, new Set());
}

/**
 * Every variable the gateway reads (docs/reference.md lists the same: a test compares them).
 * Reading the simulator's defaults reads every one: each is read whether it is set or not.
 */
export function configVariables(): string[] {
  const known = new Set<string>();
  readConfig({}, known);
  return [...known].sort();
}

function readConfig(env: Env, known: Set<string>): GatewayConfig {
  const problems: string[] = [];
  const readers = createReaders(env, known, problems);
  const { read, integer, flag, oneOf, httpUrl } = readers;

  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }

  const webhookSecret = read('WEBHOOK_SECRET');
  if (webhookSecret !== undefined && webhookSecret.length < 16) {
    problems.push('WEBHOOK_SECRET must be at least 16 characters long');
  }

  const store = oneOf('STORE', ['sqlite', 'memory', 'redis'] as const, redisUrl === undefined ? 'sqlite' : 'redis');
  if (store === 'redis' && redisUrl === undefined) problems.push('STORE=redis needs REDIS_URL');
  if (store !== 'redis' && redisUrl !== undefined) {
    problems.push(
      `REDIS_URL is set but STORE is ${store}: several instances must share one store (leave STORE unset, or set it to redis)`,
    );
  }

  if (redisUrl !== undefined && webhookSecret === undefined) {
    problems.push(
      'REDIS_URL is set but WEBHOOK_SECRET is not: every instance must verify the callback tokens the others mint, so they need one shared WEBHOOK_SECRET',
    );
  }

  const metricsToken = read('METRICS_TOKEN');
  if (metricsToken !== undefined && (metricsToken.length < 16 || /\s/.test(metricsToken))) {
    problems.push('METRICS_TOKEN must be at least 16 characters long, without spaces');
  }

  const gatewayApiKeys = (read('GATEWAY_API_KEYS') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(parseClientKey);
  if (gatewayApiKeys.some(({ key }) => key.length < 16)) {
    problems.push('GATEWAY_API_KEYS: every key must be at least 16 characters long');
  }
  const names = gatewayApiKeys.flatMap(({ name }) => (name ? [name] : []));
  if (new Set(names).size !== names.length) problems.push('GATEWAY_API_KEYS: every name may be used once');

  const corsOrigins = parseCorsOrigins(read('CORS_ORIGINS'), problems);
  const auth = parseUserTokenConfig(read, problems, {
    jwksCooldownMs: integer('AUTH_JWKS_COOLDOWN_MS', 30_000, 0),
    clockToleranceSeconds: integer('AUTH_CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
  });
  if (auth !== undefined) {
    // Such a key would be read as a token and refused every time: a lockout nobody is told of.
    gatewayApiKeys.forEach(({ key, name }, index) => {
      if (!looksLikeToken(key)) return;
      const which = name !== undefined ? `the key named "${name}"` : `key number ${index + 1}`;
      problems.push(
        `GATEWAY_API_KEYS: ${which} has a token's shape (three parts joined by dots), so with AUTH_ISSUER set it would be read as a token and never accepted: choose a key without two dots`,
      );
    });
  }
  const devIdentityProvider = flag('DEV_IDENTITY_PROVIDER', false);
  if (devIdentityProvider && read('MAVI_API_KEY') !== undefined) {
    problems.push(
      'DEV_IDENTITY_PROVIDER is on but MAVI_API_KEY is set: the development provider signs anyone in, so it runs on the simulator only',
    );
  }
  if (devIdentityProvider && auth !== undefined) {
    problems.push(
      'DEV_IDENTITY_PROVIDER is on and AUTH_ISSUER is set: the development provider is the issuer, so leave AUTH_* unset',
    );
  }

  const maviBaseUrl = httpUrl('MAVI_BASE_URL');
  // The successor lives at memories.ai's API host; any other address is taken for the original family.
  const maviApi = oneOf(
    'MAVI_API',
    ['original', 'v1'] as const,
    maviBaseUrl !== undefined && new URL(maviBaseUrl).hostname === new URL(V1_MAVI_BASE_URL).hostname
      ? 'v1'
      : 'original',
  );

  const staging = parseStagingConfig(readers, problems);

  const config: Omit<GatewayConfig, 'unrecognizedVariables'> = {
    port: integer('PORT', 4000, 0, 65535),
    host: read('HOST') ?? '127.0.0.1',
    maviApiKey: read('MAVI_API_KEY'),
    maviApi,
    maviBaseUrl: maviBaseUrl ?? (maviApi === 'v1' ? V1_MAVI_BASE_URL : DEFAULT_MAVI_BASE_URL),
    publicUrl: httpUrl('PUBLIC_URL'),
    webhookSecret,
    maxUploadBytes: read('MAX_UPLOAD_BYTES') === undefined ? undefined : integer('MAX_UPLOAD_BYTES', 1, 1),
    maviUploadsPerMinute:
      read('MAVI_UPLOADS_PER_MINUTE') === undefined ? undefined : integer('MAVI_UPLOADS_PER_MINUTE', 1, 1),
    statusPollIntervalMs: integer('STATUS_POLL_INTERVAL_MS', 30_000, 100),
    redisUrl,
    store,
    // The simulator's videos never mix with real MAVI's (nor with the other family's simulator):
    // MAVI knows nothing of them. The simulator keeps its own in the same folder (simulator.json).
    dataDir: read('DATA_DIR') ?? (read('MAVI_API_KEY') === undefined ? `./data/simulator-${maviApi}` : './data'),
    sqliteSynchronous: oneOf('SQLITE_SYNCHRONOUS', ['full', 'normal'] as const, 'full'),
    storeMaxBytes: integer('STORE_MAX_BYTES', 128 * 1024 * 1024, 1024 * 1024),
    redisPrefix: read('REDIS_PREFIX') ?? 'mavi-gateway:',
    redisCommandTimeoutMs: integer('REDIS_COMMAND_TIMEOUT_MS', 2_000, 50),
    gatewayApiKeys,
    auth,
    maviPartition: oneOf('MAVI_PARTITION', ['app', 'tenant', 'user'] as const, 'user'),
    devIdentityProvider,
    devIdentityTokenSeconds: integer('DEV_IDENTITY_PROVIDER_TOKEN_SECONDS', 300, 10, 86_400),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 30_000, 0),
    requestBodyTimeoutMs: integer('REQUEST_BODY_TIMEOUT_MS', 30_000, 100),
    maxConcurrentUploadsPerKey: integer('MAX_CONCURRENT_UPLOADS_PER_KEY', 4, 1),
    introspection: flag('INTROSPECTION', true),
    metricsToken: read('METRICS_TOKEN'),
    otelEndpoint: httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT'),
    otelServiceName: read('OTEL_SERVICE_NAME') ?? 'mavi-graphql-gateway',
    logLevel: oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    logFormat: read('LOG_FORMAT') === undefined ? undefined : oneOf('LOG_FORMAT', ['json', 'pretty'] as const, 'json'),
    staging,
    maviUploadContentLength: flag('MAVI_UPLOAD_CONTENT_LENGTH', false),
    corsOrigins,
    ...readLimits(readers),
  };

  const openOnPurpose = flag('GATEWAY_OPEN', false);
  const unrecognizedVariables = unrecognized(env, known);
  checkOpenGateway(problems, {
    onSimulator: read('MAVI_API_KEY') === undefined,
    guarded: gatewayApiKeys.length > 0 || auth !== undefined,
    openOnPurpose,
    unrecognizedVariables,
  });

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...config, unrecognizedVariables });
}

/**
 * An open gateway (no GATEWAY_API_KEYS, no AUTH_ISSUER) lets anyone spend the MAVI key behind
 * it: in front of real MAVI it must be asked for (GATEWAY_OPEN=on), so that a misspelt
 * variable never opens it by accident. The simulator stays open by default.
 */
function checkOpenGateway(
  problems: string[],
  gateway: {
    onSimulator: boolean;
    guarded: boolean;
    openOnPurpose: boolean;
    unrecognizedVariables: readonly { name: string; suggestion: string | undefined }[];
  },
): void {
  if (gateway.openOnPurpose && gateway.guarded) {
    problems.push(
      'GATEWAY_OPEN is on, but GATEWAY_API_KEYS or AUTH_ISSUER is set: a gateway is open or guarded, not both',
    );
  }
  if (gateway.onSimulator || gateway.guarded || gateway.openOnPurpose) return;
  const typos = gateway.unrecognizedVariables
    .filter(({ suggestion }) => suggestion !== undefined)
    .map(({ name, suggestion }) => ` (${name} is set: did you mean ${suggestion}?)`)
    .join('');
  problems.push(
    `Neither GATEWAY_API_KEYS nor AUTH_ISSUER is set: anyone could use this gateway, and its MAVI key${typos}. Set one of them, or GATEWAY_OPEN=on to serve it open on purpose`,
  );
}

/**
 * How a variable's text is read, each naming the variable in the problem it reports: every
 * name read is `known` (the rest may be misspelt ones).
 */
function createReaders(env: Env, known: Set<string>, problems: string[]) {
  const read = (name: string): string | undefined => {
    known.add(name);
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const integer = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  /** A whole number of 1 or more, or undefined when the variable is unset. */
  const optionalInteger = (name: string): number | undefined =>
    read(name) === undefined ? undefined : integer(name, 1, 1);

  const httpUrl = (name: string): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
      if (url.search || url.hash) throw new Error('has a query');
      return url.href.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL without query or fragment, got "${raw}"`);
      return undefined;
    }
  };

  const flag = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['on', 'true', '1', 'yes'].includes(raw)) return true;
    if (['off', 'false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be on or off, got "${raw}"`);
    return fallback;
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return fallback;
  };

  return { read, integer, optionalInteger, httpUrl, flag, oneOf };
}

type Readers = ReturnType<typeof createReaders>;

/** The bounds every client, socket and upstream call meets (docs/security.md#limits). */
function readLimits({ integer, optionalInteger }: Readers) {
  return {
    websocket: {
      // The JSON body cap (256 KiB) and room for the frame's envelope: no legitimate message is larger.
      maxPayloadBytes: integer('WS_MAX_PAYLOAD_BYTES', 264 * 1024, 1024),
      initTimeoutMs: integer('WS_INIT_TIMEOUT_MS', 3_000, 100),
      pingIntervalMs: integer('WS_PING_INTERVAL_MS', 12_000, 100),
      maxSubscriptionsPerSocket: integer('WS_MAX_SUBSCRIPTIONS_PER_SOCKET', 1_000, 1),
      maxSocketsPerClient: integer('WS_MAX_SOCKETS_PER_CLIENT', 20_000, 1),
    },
    sseMaxStreamsPerClient: integer('SSE_MAX_STREAMS_PER_CLIENT', 20_000, 1),
    webhookFailuresPerMinute: integer('WEBHOOK_FAILURES_PER_MINUTE', 300, 1),
    quotas: {
      uploadsPerHour: integer('UPLOADS_PER_HOUR', 1_000, 1),
      uploadBytesPerDay: integer('UPLOAD_BYTES_PER_DAY', 1024 * GIB, 1),
      operationsPerMinute: integer('OPERATIONS_PER_MINUTE', 6_000, 1),
    },
    uploadIdleTimeoutMs: integer('UPLOAD_IDLE_TIMEOUT_MS', 60_000, 100),
    rateLimits: {
      search: integer('RATE_LIMIT_SEARCH_PER_MINUTE', 30, 1),
      chat: integer('RATE_LIMIT_CHAT_PER_MINUTE', 10, 1),
      transcript: integer('RATE_LIMIT_TRANSCRIPT_PER_MINUTE', 30, 1),
    },
    appRateLimits: {
      search: optionalInteger('RATE_LIMIT_APP_SEARCH_PER_MINUTE'),
      chat: optionalInteger('RATE_LIMIT_APP_CHAT_PER_MINUTE'),
      transcript: optionalInteger('RATE_LIMIT_APP_TRANSCRIPT_PER_MINUTE'),
    },
    mavi: {
      maxAnswerBytes: integer('MAVI_MAX_ANSWER_BYTES', 8 * 1024 * 1024, 64 * 1024),
      callTimeoutMs: integer('MAVI_CALL_TIMEOUT_MS', 60_000, 100),
      uploadAnswerTimeoutMs: integer('MAVI_UPLOAD_ANSWER_TIMEOUT_MS', 120_000, 100),
    },
    // Real answers take seconds and a few KiB; these bounds stop an upstream that never ends.
    chat: {
      maxAnswerMs: integer('CHAT_MAX_ANSWER_MS', 5 * 60_000, 100),
      maxAnswerBytes: integer('CHAT_MAX_ANSWER_BYTES', 1024 * 1024, 1024),
    },
  };
}

/** The prefixes of this gateway's variables: another variable that starts with one is probably misspelt. */
const OUR_PREFIXES =
  /^(MAVI_|GATEWAY_|STAGING_|STAGED_|AUTH_|RATE_LIMIT_|WS_|SSE_|REDIS_|WEBHOOK_|CHAT_|DEV_IDENTITY|SQLITE_|STORE|UPLOAD|RESUMABLE_|MAX_|STATUS_POLL|CORS_|SHUTDOWN_|REQUEST_BODY|METRICS_|INTROSPECTION|PUBLIC_URL|OPERATIONS_)/;

/** Names shorter than this are compared with ours only when they start like ours. */
const MIN_SUGGESTED_NAME = 8;

/**
 * Variables set that this gateway does not read but that look like its own: one of its
 * prefixes, or within two letters of one of its names (GATEWAY_API_KEY for GATEWAY_API_KEYS).
 */
function unrecognized(
  env: Readonly<Record<string, string | undefined>>,
  known: ReadonlySet<string>,
): { name: string; suggestion: string | undefined }[] {
  return Object.keys(env)
    .filter((name) => !known.has(name) && env[name] !== undefined)
    .flatMap((name) => {
      // Short names are left alone: the machine's own (HOME, TERM) are a letter or two from HOST or PORT.
      if (name.length < MIN_SUGGESTED_NAME && !OUR_PREFIXES.test(name)) return [];
      const suggestion = [...known]
        .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
        .filter(({ distance }) => distance <= 2)
        .sort((a, b) => a.distance - b.distance)[0]?.candidate;
      return suggestion !== undefined || OUR_PREFIXES.test(name) ? [{ name, suggestion }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Levenshtein distance, for names of a few dozen characters. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** A JWT's shape: three base64url parts. With AUTH_ISSUER set, a credential of this shape is read as a token. */
export function looksLikeToken(credential: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential);
}

/** Loopback hosts: the only ones an identity provider may be reached at over plain http (tests, a local provider). */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Whether the identity provider's documents may be fetched from this URL: https, or http on a
 * loopback address only. A key set fetched in the clear (or from a data: URL a document names)
 * could be anyone's.
 */
export function isSecureProviderUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/**
 * AUTH_*: end users' tokens. AUTH_ISSUER turns them on and needs AUTH_AUDIENCE;
 * the issuer and the key set must be https (http only on loopback): a token's
 * keys fetched in the clear could be swapped by anyone on the path.
 */
function parseUserTokenConfig(
  read: (name: string) => string | undefined,
  problems: string[],
  timing: Pick<UserTokenConfig, 'jwksCooldownMs' | 'clockToleranceSeconds'>,
): UserTokenConfig | undefined {
  const issuer = read('AUTH_ISSUER');
  const audience = read('AUTH_AUDIENCE');
  const jwksUrl = read('AUTH_JWKS_URL');
  const others = [
    'AUTH_AUDIENCE',
    'AUTH_JWKS_URL',
    'AUTH_USER_CLAIM',
    'AUTH_TENANT_CLAIM',
    'AUTH_ADMIN_SCOPE',
    'AUTH_JWKS_COOLDOWN_MS',
    'AUTH_CLOCK_TOLERANCE_SECONDS',
    'AUTH_WEB_CLIENT_ID',
  ];
  if (issuer === undefined) {
    const stray = others.filter((name) => read(name) !== undefined);
    if (stray.length > 0)
      problems.push(`${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set but AUTH_ISSUER is not`);
    return undefined;
  }
  const secureUrl = (name: string, value: string) => {
    if (!isSecureProviderUrl(value))
      problems.push(`${name} must be an https URL (http only on a loopback address), got "${value}"`);
  };
  secureUrl('AUTH_ISSUER', issuer);
  if (jwksUrl !== undefined) secureUrl('AUTH_JWKS_URL', jwksUrl);
  if (audience === undefined)
    problems.push('AUTH_ISSUER is set but AUTH_AUDIENCE is not: every token must be meant for this app');
  return {
    issuer,
    audience: audience ?? '',
    jwksUrl,
    userClaim: read('AUTH_USER_CLAIM') ?? 'sub',
    tenantClaim: read('AUTH_TENANT_CLAIM'),
    adminScope: read('AUTH_ADMIN_SCOPE') ?? 'videos:admin',
    ...timing,
    webClientId: read('AUTH_WEB_CLIENT_ID'),
  };
}

/**
 * Resumable uploads' staging. STAGING_S3_BUCKET turns S3-compatible staging on;
 * its keys come as a pair or not at all (the AWS SDK's own chain then applies).
 */
function parseStagingConfig({ read, integer, flag, httpUrl }: Readers, problems: string[]): StagingConfig {
  const bucket = read('STAGING_S3_BUCKET');
  const endpoint = httpUrl('STAGING_S3_ENDPOINT');
  const accessKeyId = read('STAGING_S3_ACCESS_KEY_ID');
  const secretAccessKey = read('STAGING_S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    problems.push('STAGING_S3_ACCESS_KEY_ID and STAGING_S3_SECRET_ACCESS_KEY are set together or not at all');
  }
  const s3Settings = [
    'STAGING_S3_ENDPOINT',
    'STAGING_S3_REGION',
    'STAGING_S3_ACCESS_KEY_ID',
    'STAGING_S3_SECRET_ACCESS_KEY',
  ];
  if (bucket === undefined) {
    const stray = s3Settings.filter((name) => read(name) !== undefined);
    if (stray.length > 0)
      problems.push(`${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set but STAGING_S3_BUCKET is not`);
  }
  return {
    enabled: flag('RESUMABLE_UPLOADS', true),
    s3:
      bucket === undefined
        ? undefined
        : {
            bucket,
            endpoint,
            region: read('STAGING_S3_REGION') ?? 'us-east-1',
            credentials:
              accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey } : undefined,
          },
    expiryMs: integer('STAGED_UPLOAD_EXPIRY_MS', 24 * 60 * 60 * 1000, 1_000),
    // An hour without a byte: long enough for a phone to ride out a dead zone, short enough that
    // reservations nobody uses (creations without bodies) do not hold the budget (docs/resumable-uploads.md).
    idleExpiryMs: integer('STAGING_IDLE_EXPIRY_MS', 60 * 60 * 1000, 1_000),
    maxUploadsPerOwner: integer('STAGING_MAX_UPLOADS_PER_OWNER', 5, 1),
    // One largest file (4 GiB, the original family's): 25 owners, not 5, to fill the default budget.
    maxBytesPerOwner: integer('STAGING_MAX_BYTES_PER_OWNER', 4 * GIB, 1),
    maxBytes: integer('STAGING_MAX_BYTES', 100 * GIB, 1),
    minFreeBytes: integer('STAGING_MIN_FREE_BYTES', 2 * GIB, 0),
  };
}

/**
 * CORS_ORIGINS: `*` (the default: keys are headers, not cookies, so any origin
 * may call with a key it holds) or a comma-separated list of origins such as
 * `https://app.example.com`, each a scheme, host and optional port.
 */
function parseCorsOrigins(raw: string | undefined, problems: string[]): '*' | readonly string[] {
  if (raw === undefined || raw.trim() === '*') return '*';
  const origins = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      problems.push(
        `CORS_ORIGINS: "${origin}" is not an origin (like https://app.example.com, no path or trailing slash)`,
      );
    }
  }
  if (origins.length === 0) problems.push('CORS_ORIGINS must be * or a comma-separated list of origins');
  return origins;
}
