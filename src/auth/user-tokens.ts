/**
 * End users' tokens (AUTH_ISSUER): JSON Web Tokens that the app's OpenID
 * provider issues to its signed-in users, verified here, locally, with jose:
 *  - the signature, against the provider's published keys (provider-keys.ts),
 *    with asymmetric algorithms only: `none` and HS* are refused (an HS256 token
 *    "signed" with the provider's public key is the classic forgery);
 *  - `iss` equal to AUTH_ISSUER, `aud` containing AUTH_AUDIENCE;
 *  - `exp` (required) and `nbf`, with AUTH_CLOCK_TOLERANCE_SECONDS of skew,
 *    the same skew that decides when a websocket's token has expired;
 *  - `exp`, `nbf` and `iat` finite numbers (`1e400` parses to Infinity), and `iat`
 *    not in the future;
 *  - `typ` absent or an access token's (`JWT`, `at+jwt`, `application/at+jwt`,
 *    RFC 8725 §3.11, RFC 9068): a logout or security-event token the provider
 *    signs for the same audience is no bearer credential.
 * Each refusal is UNAUTHENTICATED with a message that names what was wrong, and
 * never quotes the token.
 *
 * A user is known by an owner id that holds no claim in the clear:
 * `user:<tenant digest>:<user digest>` (SHA-256 of the issuer, the tenant and the
 * user claim, see identity.ts claimsDigest). Its prefix is the tenant's group (identity.ts):
 * a token with AUTH_ADMIN_SCOPE among its scopes administers that group.
 */
import { createHash } from 'node:crypto';
import {
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  type JWTVerifyResult,
} from 'jose';
import type { MaviPartition, UserTokenConfig } from '../config.js';
import { refusal, type Refusal } from '../errors.js';
import { claimsDigest, userGroup, userOwnerId, type Caller, type Owner } from '../identity.js';
import { ProviderKeys, ProviderUnavailableError } from './provider-keys.js';

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
/** The `typ` values of an access token, lower-cased and without `application/` (RFC 7515 §4.1.9); none at all is accepted too. */
const ACCESS_TOKEN_TYPES = new Set(['jwt', 'at+jwt']);
/** Real tokens are 1 to 2 KiB; a longer Authorization value is not one worth parsing. */
const MAX_TOKEN_CHARS = 8 * 1024;

export interface UserTokens {
  /** True once the provider's keys have been loaded (readiness). */
  readonly ready: boolean;
  verify(token: string): Promise<Caller | Refusal>;
  /** The owner a user of these tokens is (for the app's service key, which names users); undefined without the tenant AUTH_TENANT_CLAIM needs. */
  ownerNamed(user: string, tenant: string | null): Owner | undefined;
  start(): void;
  stop(): void;
}

export function createUserTokens(
  config: UserTokenConfig,
  partitionBy: MaviPartition,
  onLoadFailed: (message: string) => void,
): UserTokens {
  const keys = new ProviderKeys({
    issuer: config.issuer,
    jwksUrl: config.jwksUrl,
    cooldownMs: config.jwksCooldownMs,
    onLoadFailed,
  });
  const verifiedTokens = new VerifiedTokens();
  const options: JWTVerifyOptions = {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: ALGORITHMS,
    clockTolerance: config.clockToleranceSeconds,
    requiredClaims: ['exp'],
  };

  /**
   * A user's owner: its id and partition are digests of the claims (with the issuer), so the
   * same user is the same owner on every token, and no claim reaches MAVI in the clear.
   */
  const ownerOf = (user: string, tenant: string) => {
    const tenantId = claimsDigest(config.issuer, tenant).slice(0, 16);
    const userId = claimsDigest(config.issuer, tenant, user).slice(0, 32);
    const partition = {
      user: `user-${userId}`,
      tenant: `tenant-${tenantId}`,
      app: `app-${claimsDigest(config.issuer, config.audience).slice(0, 16)}`,
    }[partitionBy];
    return {
      tenantId,
      ownerId: userOwnerId(tenantId, userId),
      partition,
      // As the provider issued them: shown to the app's backend and the tenant's administrators only.
      names: { user, tenant: config.tenantClaim === undefined ? null : tenant, key: null },
    };
  };

  return {
    get ready() {
      return keys.loaded;
    },

    ownerNamed(user, tenant) {
      if (config.tenantClaim !== undefined && tenant === null) return undefined;
      const { tenantId: _tenantId, ...owner } = ownerOf(user, tenant ?? '');
      return owner;
    },
    start: () => keys.start(),
    stop: () => keys.stop(),

    async verify(token) {
      if (token.length > MAX_TOKEN_CHARS)
        return unauthenticated('The token is longer than any real one: it is malformed.');
      const digest = createHash('sha256').update(token).digest('base64');
      const known = verifiedTokens.get(digest, Date.now());
      if (known) return known;
      const caller = await verifyAnew(token);
      if (!('code' in caller)) verifiedTokens.set(digest, caller, Date.now());
      return caller;
    },
  };

  async function verifyAnew(token: string): Promise<Caller | Refusal> {
    let verified: JWTVerifyResult;
    try {
      verified = await verifyWithEachKey(token, keys.getKey, options);
    } catch (error) {
      return refusalFor(error);
    }
    const { payload, protectedHeader } = verified;
    if (!isAccessTokenType(protectedHeader.typ)) {
      return unauthenticated(
        'The token is not an access token (its "typ" header is not JWT or at+jwt): a logout or other token is no credential.',
      );
    }
    const badDate = (['exp', 'nbf', 'iat'] as const).find(
      (claim) => payload[claim] !== undefined && !Number.isFinite(payload[claim]),
    );
    if (badDate !== undefined) return unauthenticated(`The token's "${badDate}" claim is not a finite number.`);
    if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + config.clockToleranceSeconds) {
      return unauthenticated('The token was issued in the future (its iat is later than now).');
    }
    const user = payload[config.userClaim];
    if (typeof user !== 'string' || user === '') {
      return unauthenticated(`The token has no "${config.userClaim}" claim (AUTH_USER_CLAIM) naming its user.`);
    }
    let tenant = '';
    if (config.tenantClaim !== undefined) {
      const claimed = payload[config.tenantClaim];
      if (typeof claimed !== 'string' || claimed === '') {
        return unauthenticated(`The token has no "${config.tenantClaim}" claim (AUTH_TENANT_CLAIM) naming its tenant.`);
      }
      tenant = claimed;
    }
    const { tenantId, ...owner } = ownerOf(user, tenant);
    return {
      ...owner,
      adminOf: scopesOf(payload).includes(config.adminScope) ? userGroup(tenantId) : undefined,
      // The same tolerance as the check above: a socket ends when an HTTP request would be refused.
      expiresAt: (payload.exp! + config.clockToleranceSeconds) * 1000,
    };
  }
}

/** How long a verified token is taken without verifying it again (never past its expiry). */
const VERIFIED_TOKEN_TTL_MS = 60_000;
/** At most this many verified tokens are remembered (about 150 bytes each: a digest and a caller). */
const VERIFIED_TOKEN_ENTRIES = 10_000;

/**
 * Callers of tokens verified in the last minute, by the token's SHA-256 (never the token itself).
 * One ES256 verification costs ~130 µs, a third of a small request's CPU (bench/token-verification.ts),
 * and an app's client sends the same token with every request until it refreshes it. Only tokens
 * that verified are remembered, never refusals. A remembered token is refused from its expiry on,
 * and one signed with a key the provider withdraws is refused at most a minute after it was last
 * verified.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, { caller: Caller; until: number }>();

  get(digest: string, now: number): Caller | undefined {
    const entry = this.entries.get(digest);
    if (!entry) return undefined;
    if (now >= entry.until) {
      this.entries.delete(digest);
      return undefined;
    }
    return entry.caller;
  }

  set(digest: string, caller: Caller, now: number): void {
    const until = Math.min(now + VERIFIED_TOKEN_TTL_MS, caller.expiresAt ?? now);
    if (until <= now) return;
    // A Map keeps insertion order: the first key is the oldest entry.
    if (this.entries.size >= VERIFIED_TOKEN_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(digest, { caller, until });
  }
}

function isAccessTokenType(typ: string | undefined): boolean {
  return typ === undefined || ACCESS_TOKEN_TYPES.has(typ.toLowerCase().replace(/^application\//, ''));
}

/**
 * Verifies with the key the token's header picks. A token without `kid` while the provider
 * publishes several keys of its algorithm (mid-rotation) matches them all: each is tried,
 * as jose's documentation shows, and the one that verifies wins.
 */
async function verifyWithEachKey(
  token: string,
  getKey: JWTVerifyGetKey,
  options: JWTVerifyOptions,
): Promise<JWTVerifyResult> {
  try {
    return await jwtVerify(token, getKey, options);
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const key of error as errors.JWKSMultipleMatchingKeys & AsyncIterable<CryptoKey>) {
      try {
        return await jwtVerify(token, key, options);
      } catch (inner) {
        if (inner instanceof errors.JWSSignatureVerificationFailed) continue;
        throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/**
 * The token's scopes, wherever its provider puts them: `scope` (a space-separated
 * string, RFC 8693), `scp` (an array, or a string) or `permissions` (an array, Auth0).
 */
function scopesOf(payload: JWTPayload): string[] {
  const scopes: string[] = [];
  for (const claim of [payload.scope, payload.scp, payload.permissions]) {
    if (typeof claim === 'string') scopes.push(...claim.split(' ').filter(Boolean));
    else if (Array.isArray(claim)) scopes.push(...claim.filter((scope): scope is string => typeof scope === 'string'));
  }
  return scopes;
}

function unauthenticated(message: string): Refusal {
  return refusal('UNAUTHENTICATED', message);
}

/** What was wrong with a token, as a refusal that names it (and never quotes it). */
function refusalFor(error: unknown): Refusal {
  if (error instanceof ProviderUnavailableError) return refusal('IDENTITY_PROVIDER_UNAVAILABLE');
  if (error instanceof errors.JWTExpired)
    return unauthenticated('The token expired: get a fresh one from the identity provider.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return unauthenticated('The token was issued by another issuer than this gateway trusts (AUTH_ISSUER).');
      case 'aud':
        return unauthenticated('The token is meant for another audience than this app (AUTH_AUDIENCE).');
      case 'nbf':
        return unauthenticated('The token is not valid yet (its nbf is in the future).');
      default:
        return unauthenticated(`The token's "${error.claim}" claim is missing or not acceptable.`);
    }
  }
  if (error instanceof errors.JOSENotSupported && /Extension Header Parameter/.test(error.message)) {
    return unauthenticated('The token names a critical header ("crit") this gateway does not understand.');
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return unauthenticated(`The token's algorithm is not accepted: only ${ALGORITHMS.join(', ')} are.`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return unauthenticated('The token is signed with a key the identity provider does not publish.');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return unauthenticated("The token's signature does not verify: it was altered or not signed by the provider.");
  }
  if (error instanceof errors.JOSEError) return unauthenticated('The token is malformed.');
  throw error;
}
