import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createMaviApi } from '../../src/mavi/connect.js';
import { createGateway } from '../../src/server/gateway.js';
import { ConfigError, configVariables, DEFAULT_MAVI_BASE_URL, loadConfig } from '../../src/config.js';
import { variablesOf } from '../../src/config/variable.js';
import { VARIABLES } from '../../src/config/variables.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

const quiet = createLogger({ level: 'error', write: () => undefined });

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      maviBaseUrl: DEFAULT_MAVI_BASE_URL,
      maviApiKey: undefined,
      publicUrl: undefined,
      statusPollIntervalMs: 30_000,
      maxUploadBytes: undefined, // the family's own limit (see below)
      gatewayApiKeys: [],
      store: 'sqlite',
      dataDir: './data/simulator-original', // no MAVI key: the simulator's data stay apart
      sqliteSynchronous: 'full',
      storeMaxBytes: 128 * 1024 ** 2,
      requestBodyTimeoutMs: 30_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names variables that look like its own but are not, with the one probably meant', () => {
    const config = loadConfig({
      GATEWAY_API_KEY: 'a-client-key-of-16+',
      PUBLICURL: 'http://example.com',
      STAGING_S3_BUKET: 'videos',
      MAVI_UPLOAD_LIMIT: '1',
      HOME: '/root',
      NODE_OPTIONS: '--enable-source-maps',
      PORT: '4001',
    });
    expect(config.unrecognizedVariables).toEqual([
      { name: 'GATEWAY_API_KEY', suggestion: 'GATEWAY_API_KEYS' },
      { name: 'MAVI_UPLOAD_LIMIT', suggestion: undefined },
      { name: 'PUBLICURL', suggestion: 'PUBLIC_URL' },
      { name: 'STAGING_S3_BUKET', suggestion: 'STAGING_S3_BUCKET' },
    ]);
    expect(loadConfig({ PORT: '4001', HOME: '/root' }).unrecognizedVariables).toEqual([]);
  });

  it("keeps the simulator's data apart from real MAVI's, and each family's simulator apart", () => {
    expect(loadConfig({ MAVI_API_KEY: 'a-real-key', GATEWAY_OPEN: 'on' }).dataDir).toBe('./data');
    expect(loadConfig({ MAVI_API: 'v1' }).dataDir).toBe('./data/simulator-v1');
    expect(loadConfig({ DATA_DIR: '/var/lib/gateway' }).dataDir).toBe('/var/lib/gateway');
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      MAVI_API_KEY: 'k',
      MAVI_BASE_URL: 'http://mavi.local:9000/',
      PUBLIC_URL: 'https://gateway.example.com/',
      WEBHOOK_SECRET: '0123456789abcdef',
      MAX_UPLOAD_BYTES: '1048576',
      STATUS_POLL_INTERVAL_MS: '5000',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: 'prod:',
      GATEWAY_API_KEYS: 'key-aaaaaaaaaaaaaaaa, key-bbbbbbbbbbbbbbbb',
      MAX_CONCURRENT_UPLOADS_PER_KEY: '8',
      INTROSPECTION: 'off',
      MAVI_UPLOAD_CONTENT_LENGTH: 'on',
      SHUTDOWN_TIMEOUT_MS: '5000',
      REQUEST_BODY_TIMEOUT_MS: '2000',
      DATA_DIR: '/var/lib/gateway',
      SQLITE_SYNCHRONOUS: 'normal',
      STORE_MAX_BYTES: '67108864',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      maviApiKey: 'k',
      maviBaseUrl: 'http://mavi.local:9000',
      publicUrl: 'https://gateway.example.com',
      webhookSecret: '0123456789abcdef',
      maxUploadBytes: 1048576,
      statusPollIntervalMs: 5000,
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: 'prod:',
      gatewayApiKeys: [{ key: 'key-aaaaaaaaaaaaaaaa' }, { key: 'key-bbbbbbbbbbbbbbbb' }],
      maxConcurrentUploadsPerKey: 8,
      introspection: false,
      maviUploadContentLength: true,
      shutdownTimeoutMs: 5000,
      requestBodyTimeoutMs: 2000,
      store: 'redis',
      dataDir: '/var/lib/gateway',
      sqliteSynchronous: 'normal',
      storeMaxBytes: 67108864,
    });
    expect(loadConfig({ STORE: 'memory' }).store).toBe('memory');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ MAVI_BASE_URL: 'ftp://mavi' }, 'MAVI_BASE_URL'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://gw.example.com/?x=1' }, 'PUBLIC_URL'],
    [{ MAX_UPLOAD_BYTES: '-1' }, 'MAX_UPLOAD_BYTES'],
    [{ MAX_UPLOAD_BYTES: '0' }, 'MAX_UPLOAD_BYTES'],
    [{ STATUS_POLL_INTERVAL_MS: '10' }, 'STATUS_POLL_INTERVAL_MS'],
    [{ REDIS_URL: 'localhost:6379', WEBHOOK_SECRET: '0123456789abcdef' }, 'REDIS_URL'],
    [{ WEBHOOK_SECRET: 'short' }, 'WEBHOOK_SECRET'],
    [{ GATEWAY_API_KEYS: 'short' }, 'GATEWAY_API_KEYS'],
    [{ INTROSPECTION: 'maybe' }, 'INTROSPECTION'],
    [{ MAVI_UPLOAD_CONTENT_LENGTH: 'yes please' }, 'MAVI_UPLOAD_CONTENT_LENGTH'],
    [{ MAX_CONCURRENT_UPLOADS_PER_KEY: '0' }, 'MAX_CONCURRENT_UPLOADS_PER_KEY'],
    [{ REQUEST_BODY_TIMEOUT_MS: '5' }, 'REQUEST_BODY_TIMEOUT_MS'],
    [{ STORE: 'postgres' }, 'STORE'],
    [{ STORE: 'redis' }, 'STORE=redis needs REDIS_URL'],
    [{ STORE: 'memory', REDIS_URL: 'redis://127.0.0.1:6379', WEBHOOK_SECRET: '0123456789abcdef' }, 'REDIS_URL'],
    [{ SQLITE_SYNCHRONOUS: 'off' }, 'SQLITE_SYNCHRONOUS'],
    [{ MAVI_API: 'v2' }, 'MAVI_API'],
    [{ MAVI_UPLOADS_PER_MINUTE: '0' }, 'MAVI_UPLOADS_PER_MINUTE'],
    [{ STORE_MAX_BYTES: '1000' }, 'STORE_MAX_BYTES'],
    [{ AUTH_ISSUER: 'https://id.example.com' }, 'AUTH_ISSUER is set but AUTH_AUDIENCE is not'],
    [{ AUTH_ISSUER: 'http://id.example.com', AUTH_AUDIENCE: 'app' }, 'AUTH_ISSUER must be an https URL'],
    [{ AUTH_ISSUER: 'not a url', AUTH_AUDIENCE: 'app' }, 'AUTH_ISSUER'],
    [
      { AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'app', AUTH_JWKS_URL: 'http://keys.example.com/jwks' },
      'AUTH_JWKS_URL must be an https URL',
    ],
    [{ AUTH_AUDIENCE: 'app' }, 'AUTH_AUDIENCE is set but AUTH_ISSUER is not'],
    [
      { DEV_IDENTITY_PROVIDER: 'on', MAVI_API_KEY: 'k', GATEWAY_OPEN: 'on' },
      'DEV_IDENTITY_PROVIDER is on but MAVI_API_KEY is set',
    ],
    [
      { DEV_IDENTITY_PROVIDER: 'on', AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'a' },
      'DEV_IDENTITY_PROVIDER is on and AUTH_ISSUER is set',
    ],
    [
      { AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'app', AUTH_JWKS_COOLDOWN_MS: 'soon' },
      'AUTH_JWKS_COOLDOWN_MS',
    ],
  ])('names the variable in error: %o', (env, name) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });

  it('picks the MAVI API family from MAVI_BASE_URL when MAVI_API is unset, and its defaults', () => {
    // MAX_UPLOAD_BYTES's default is the family's own limit, which the family states (mavi/): unset here.
    expect(loadConfig({})).toMatchObject({ maviApi: 'original', maxUploadBytes: undefined });
    expect(loadConfig({ MAVI_BASE_URL: 'https://api.memories.ai' })).toMatchObject({ maviApi: 'v1' });
    expect(loadConfig({ MAX_UPLOAD_BYTES: '1000' }).maxUploadBytes).toBe(1000);
    const limitsOf = (family: 'original' | 'v1') =>
      createMaviApi({ family, baseUrl: 'http://127.0.0.1:9', apiKey: 'k' }).capabilities;
    expect(limitsOf('original')).toMatchObject({ maxUploadBytes: 4 * 1024 ** 3, maxCallbackUrlChars: undefined });
    expect(limitsOf('v1')).toMatchObject({ maxUploadBytes: 3_000_000_000, maxCallbackUrlChars: 299 });
    expect(loadConfig({ MAVI_API: 'v1' })).toMatchObject({ maviApi: 'v1', maviBaseUrl: 'https://api.memories.ai' });
    expect(loadConfig({ MAVI_API: 'original', MAVI_BASE_URL: 'https://api.memories.ai' }).maviApi).toBe('original');
    expect(loadConfig({ MAVI_BASE_URL: 'http://127.0.0.1:9000' }).maviApi).toBe('original');
    expect(loadConfig({ MAVI_UPLOADS_PER_MINUTE: '2' }).maviUploadsPerMinute).toBe(2);
    expect(loadConfig({}).maviUploadsPerMinute).toBeUndefined();
  });

  it('reads the end-user token settings, with http allowed on loopback only', () => {
    const config = loadConfig({
      AUTH_ISSUER: 'http://127.0.0.1:9000/realms/app/',
      AUTH_AUDIENCE: 'my-app',
      AUTH_USER_CLAIM: 'email',
      AUTH_TENANT_CLAIM: 'org_id',
      AUTH_JWKS_COOLDOWN_MS: '1000',
    });
    expect(config.auth).toEqual({
      issuer: 'http://127.0.0.1:9000/realms/app/', // exactly: iss is compared as it stands
      audience: 'my-app',
      jwksUrl: undefined,
      userClaim: 'email',
      tenantClaim: 'org_id',
      adminScope: 'videos:admin',
      jwksCooldownMs: 1000,
      clockToleranceSeconds: 30,
      webClientId: undefined,
    });
    expect(loadConfig({ AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'a' }).auth).toMatchObject({
      userClaim: 'sub',
      tenantClaim: undefined,
      jwksCooldownMs: 30_000,
    });
    expect(
      loadConfig({ AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'a', AUTH_CLOCK_TOLERANCE_SECONDS: '0' }).auth
        ?.clockToleranceSeconds,
    ).toBe(0);
    expect(loadConfig({}).auth).toBeUndefined();
  });

  it('reads named client keys (name:key) and bare ones', () => {
    const config = loadConfig({ GATEWAY_API_KEYS: 'alice:key-aaaaaaaaaaaaaaaa, key-bbbbbbbbbbbbbbbb' });
    expect(config.gatewayApiKeys).toEqual([
      { name: 'alice', key: 'key-aaaaaaaaaaaaaaaa' },
      { key: 'key-bbbbbbbbbbbbbbbb' },
    ]);
    expect(problemsOf({ GATEWAY_API_KEYS: 'a:key-aaaaaaaaaaaaaaaa,a:key-bbbbbbbbbbbbbbbb' })).toEqual([
      'GATEWAY_API_KEYS: every name may be used once',
    ]);
  });

  it("refuses a PUBLIC_URL too long for the successor's 299-character callback addresses, at start", () => {
    const config = (publicUrl: string) =>
      loadConfig({
        MAVI_API: 'v1',
        PUBLIC_URL: publicUrl,
        MAVI_API_KEY: 'k'.repeat(20),
        STORE: 'memory',
        GATEWAY_OPEN: 'on',
      });
    const longest = `https://example.com/${'a'.repeat(218 - 'https://example.com/'.length)}`;
    expect(() => createGateway(config(`${longest}a`), { logger: quiet })).toThrow(
      /PUBLIC_URL is too long for MAVI_API=v1: callback addresses may have 299 characters, so PUBLIC_URL at most 218/,
    );
    const fits = createGateway(config(longest), { logger: quiet });
    void fits.stop();
  });

  it('refuses an open gateway in front of real MAVI unless asked for, naming a misspelt variable', () => {
    const key = 'k'.repeat(20);
    const [problem] = problemsOf({ MAVI_API_KEY: key, GATEWAY_API_KEY: 'alice:0123456789abcdef' });
    expect(problem).toMatch(/Neither GATEWAY_API_KEYS nor AUTH_ISSUER is set/);
    expect(problem).toContain('GATEWAY_API_KEY is set: did you mean GATEWAY_API_KEYS?');
    expect(problem).toContain('GATEWAY_OPEN=on');
    expect(problem).not.toContain('0123456789abcdef');
    expect(() => loadConfig({ MAVI_API_KEY: key, GATEWAY_OPEN: 'on' })).not.toThrow();
    expect(() => loadConfig({ MAVI_API_KEY: key, GATEWAY_API_KEYS: 'alice:0123456789abcdef' })).not.toThrow();
    // The simulator stays open by default; open and guarded at once is a contradiction.
    expect(() => loadConfig({})).not.toThrow();
    expect(problemsOf({ GATEWAY_OPEN: 'on', GATEWAY_API_KEYS: 'alice:0123456789abcdef' })[0]).toMatch(
      /open or guarded, not both/,
    );
  });

  it('refuses REDIS_URL without WEBHOOK_SECRET, saying why', () => {
    const [problem] = problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(problem).toMatch(/REDIS_URL is set but WEBHOOK_SECRET is not.*shared WEBHOOK_SECRET/);
  });

  it('reports every problem at once, without echoing secrets', () => {
    const problems = problemsOf({ PORT: 'x', WEBHOOK_SECRET: 'tiny-secret', GATEWAY_API_KEYS: 'short-key' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toContain('tiny-secret');
    expect(problems.join('\n')).not.toContain('short-key');
  });
});

describe('the variables table (docs/reference.md)', () => {
  it('is the declarations, as `npm run docs:reference` prints them', () => {
    const doc = readFileSync(new URL('../../docs/reference.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Variables'), doc.indexOf('## Errors'));
    const documented = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) =>
        line
          .split(/(?<!\\)\|/)
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    const declared = variablesOf(VARIABLES).map(({ name, meaning, shownDefault }) => [
      `\`${name}\``,
      meaning,
      shownDefault,
    ]);
    expect(documented).toEqual(declared);
    expect(declared.map(([name]) => name!.slice(1, -1)).sort()).toEqual(configVariables());
  });
});
