/**
 * The only reader of process.env. Every setting is declared once (config/variables.ts) and
 * validated once, at start; an error names the variable that is wrong, so a bad deployment
 * fails loudly instead of misbehaving later. This module adds the rules that span variables.
 */
import { type ClientKey } from './config/lists.js';
import { type Env, readValues, type Values, variablesOf } from './config/variable.js';
import { VARIABLES } from './config/variables.js';
import { namesInternalHost } from './net/internal-addresses.js';

export type { ClientKey };

/** The original family's host; the default when neither MAVI_API nor MAVI_BASE_URL says otherwise. */
export const DEFAULT_MAVI_BASE_URL = 'https://mavi-backend.openinterx.com';
/** The successor family's host (MAVI_API=v1). */
const V1_MAVI_BASE_URL = 'https://api.memories.ai';
/** The live-stream host (memories-api.md §2.15). */
const DEFAULT_MAVI_STREAM_BASE_URL = 'https://stream.memories.ai';

type Declared = Values<typeof VARIABLES>;

export type GatewayConfig = ReturnType<typeof resolve> & {
  /** Variables that look like this gateway's but are not (a misspelling): warned about at start, with a suggestion. */
  readonly unrecognizedVariables: readonly { name: string; suggestion: string | undefined }[];
};
export type StagingConfig = GatewayConfig['staging'];
/** A partition per app (all its users share one), per tenant, or per user. */
export type MaviPartition = GatewayConfig['maviPartition'];
/** End users' tokens (JWTs from the app's OpenID provider), when AUTH_ISSUER is set. */
export type UserTokenConfig = NonNullable<GatewayConfig['auth']>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Env = process.env): GatewayConfig {
  const problems: string[] = [];
  const config = resolve(
    readValues(VARIABLES, env, (problem) => problems.push(problem)),
    env,
    problems,
  );
  const unrecognizedVariables = unrecognized(env, new Set(configVariables()));
  checkOpenGateway(problems, {
    onSimulator: config.maviApiKey === undefined,
    guarded: config.gatewayApiKeys.length > 0 || config.auth !== undefined,
    openOnPurpose: config.gatewayOpen,
    unrecognizedVariables,
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...config, unrecognizedVariables });
}

/** Every variable the gateway reads (docs/reference.md's table is printed from the same declarations). */
export function configVariables(): string[] {
  return variablesOf(VARIABLES)
    .map(({ name }) => name)
    .sort();
}

/** The declared values, with the defaults that depend on other variables filled in and the rules between them checked. */
function resolve(declared: Declared, env: Env, problems: string[]) {
  const { redisUrl, webhookSecret, maviApiKey, maviBaseUrl } = declared;
  const store = declared.store ?? (redisUrl === undefined ? 'sqlite' : 'redis');
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
  const auth = resolveUserTokens(declared.auth, env, problems);
  const clientKeys = new Set(declared.gatewayApiKeys.map(({ key }) => key));
  if (declared.serviceKeys.some(({ key }) => clientKeys.has(key))) {
    problems.push('GATEWAY_SERVICE_KEYS: a service key may not also be a client key (GATEWAY_API_KEYS)');
  }
  checkIdentityCombinations(declared, auth !== undefined, problems);

  // The successor lives at memories.ai's API host; any other address is taken for the original family.
  const maviApi =
    declared.maviApi ??
    (maviBaseUrl !== undefined && new URL(maviBaseUrl).hostname === new URL(V1_MAVI_BASE_URL).hostname
      ? 'v1'
      : 'original');
  return {
    ...declared,
    store,
    maviApi,
    maviBaseUrl: maviBaseUrl ?? (maviApi === 'v1' ? V1_MAVI_BASE_URL : DEFAULT_MAVI_BASE_URL),
    maviStreamBaseUrl: declared.maviStreamBaseUrl ?? DEFAULT_MAVI_STREAM_BASE_URL,
    // The simulator's videos never mix with real MAVI's (nor with the other family's simulator):
    // MAVI knows nothing of them. The simulator keeps its own in the same folder (simulator.json).
    dataDir: declared.dataDir ?? (maviApiKey === undefined ? `./data/simulator-${maviApi}` : './data'),
    auth,
    staging: resolveStaging(declared.staging, env, problems),
    appWebhook: resolveAppWebhook(declared.appWebhook, problems),
  };
}

/** APP_WEBHOOK_*: the URL and its secret come together; a URL into the operator's network only when allowed. */
function resolveAppWebhook(declared: Declared['appWebhook'], problems: string[]) {
  const { url, secret, allowPrivate } = declared;
  if ((url === undefined) !== (secret === undefined)) {
    problems.push(
      url === undefined
        ? 'APP_WEBHOOK_SECRET is set but APP_WEBHOOK_URL is not'
        : 'APP_WEBHOOK_URL is set but APP_WEBHOOK_SECRET is not: every delivery is signed',
    );
  }
  if (url !== undefined && !allowPrivate && namesInternalHost(new URL(url))) {
    problems.push(
      `APP_WEBHOOK_URL names a loopback, private or link-local address (${new URL(url).hostname}): set APP_WEBHOOK_ALLOW_PRIVATE=on to allow it`,
    );
  }
  const { retryDelaysMs, timeoutMs, concurrency, maxBacklog } = declared;
  return {
    allowPrivate,
    retryDelaysMs,
    timeoutMs,
    concurrency,
    maxBacklog,
    /** APP_WEBHOOK_URL's endpoint, with every secret that signs; undefined without one. */
    endpoint: url === undefined || secret === undefined ? undefined : { url, secrets: secret.split(/\s+/) },
  };
}

/**
 * Whether the gateway delivers webhooks to the app: to APP_WEBHOOK_URL, or to endpoints its
 * service callers make (GATEWAY_SERVICE_KEYS).
 */
export function hasAppWebhooks(config: {
  appWebhook: { endpoint: unknown };
  serviceKeys: readonly unknown[];
}): boolean {
  return config.appWebhook.endpoint !== undefined || config.serviceKeys.length > 0;
}

/** Client keys beside tokens, and the development provider beside a real MAVI or a real provider. */
function checkIdentityCombinations(declared: Declared, tokensOn: boolean, problems: string[]): void {
  if (tokensOn) {
    // Such a key would be read as a token and refused every time: a lockout nobody is told of.
    for (const [variable, keys] of [
      ['GATEWAY_API_KEYS', declared.gatewayApiKeys],
      ['GATEWAY_SERVICE_KEYS', declared.serviceKeys],
    ] as const) {
      keys.forEach(({ key, name }, index) => {
        if (!looksLikeToken(key)) return;
        const which = name !== undefined ? `the key named "${name}"` : `key number ${index + 1}`;
        problems.push(
          `${variable}: ${which} has a token's shape (three parts joined by dots), so with AUTH_ISSUER set it would be read as a token and never accepted: choose a key without two dots`,
        );
      });
    }
  }
  if (declared.devIdentityProvider && declared.maviApiKey !== undefined) {
    problems.push(
      'DEV_IDENTITY_PROVIDER is on but MAVI_API_KEY is set: the development provider signs anyone in, so it runs on the simulator only',
    );
  }
  if (declared.devIdentityProvider && tokensOn) {
    problems.push(
      'DEV_IDENTITY_PROVIDER is on and AUTH_ISSUER is set: the development provider is the issuer, so leave AUTH_* unset',
    );
  }
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

/** The names of a group's variables that are set, but for the one that turns the group on. */
function strayInGroup(group: Parameters<typeof variablesOf>[0], switchName: string, env: Env): string[] {
  return variablesOf(group)
    .filter((variable) => variable.name !== switchName && variable.isSet(env))
    .map(({ name }) => name);
}

function setWithout(stray: readonly string[], switchName: string): string {
  return `${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set but ${switchName} is not`;
}

/**
 * AUTH_*: end users' tokens. AUTH_ISSUER turns them on and needs AUTH_AUDIENCE; the issuer and
 * the key set must be https (http only on loopback): a token's keys fetched in the clear could
 * be swapped by anyone on the path.
 */
function resolveUserTokens(declared: Declared['auth'], env: Env, problems: string[]) {
  const { issuer, audience, jwksUrl } = declared;
  if (issuer === undefined) {
    const stray = strayInGroup(VARIABLES.auth, 'AUTH_ISSUER', env);
    if (stray.length > 0) problems.push(setWithout(stray, 'AUTH_ISSUER'));
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
  return { ...declared, issuer, audience: audience ?? '' };
}

/**
 * Resumable uploads' staging. STAGING_S3_BUCKET turns S3-compatible staging on; its keys come
 * as a pair or not at all (the AWS SDK's own chain then applies).
 */
function resolveStaging(declared: Declared['staging'], env: Env, problems: string[]) {
  const { bucket, endpoint, region, accessKeyId, secretAccessKey } = declared.s3;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    problems.push('STAGING_S3_ACCESS_KEY_ID and STAGING_S3_SECRET_ACCESS_KEY are set together or not at all');
  }
  if (bucket === undefined) {
    const stray = strayInGroup(VARIABLES.staging.s3, 'STAGING_S3_BUCKET', env);
    if (stray.length > 0) problems.push(setWithout(stray, 'STAGING_S3_BUCKET'));
  }
  const credentials =
    accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey } : undefined;
  return { ...declared, s3: bucket === undefined ? undefined : { bucket, endpoint, region, credentials } };
}
