/**
 * Client keys (GATEWAY_API_KEYS). A caller is identified by `Authorization:
 * Bearer <key>`; its identity everywhere else (video records, limits, logs) is
 * a hash of the key, never the key. Keys are compared as SHA-256 digests with
 * timingSafeEqual, against every configured key, so timing says nothing about
 * how much of a guess was right or which key matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Headers of every UNAUTHENTICATED answer (RFC 6750). */
export const UNAUTHENTICATED_HEADERS = { 'www-authenticate': 'Bearer' };

/** The identity of every caller when the gateway is open (no keys configured). */
const ANONYMOUS = 'anonymous';

export interface ClientKeys {
  /** True when no keys are configured: every caller is ANONYMOUS. */
  readonly open: boolean;
  /** The caller's owner id for an Authorization value, or undefined when it carries no valid key. */
  identify(authorization: string | undefined): string | undefined;
}

/**
 * The Authorization value of a websocket: the upgrade request's header, or
 * `connectionParams.authorization` (browsers cannot set websocket headers).
 */
export function websocketAuthorization(
  header: string | undefined,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  const fromParams = connectionParams?.authorization;
  return header ?? (typeof fromParams === 'string' ? fromParams : undefined);
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createClientKeys(keys: readonly string[]): ClientKeys {
  const digests = keys.map(digest);
  return {
    open: keys.length === 0,
    identify(authorization) {
      if (digests.length === 0) return ANONYMOUS;
      const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match) return undefined;
      const candidate = digest(match[1]!);
      let found: Buffer | undefined;
      for (const known of digests) if (timingSafeEqual(candidate, known)) found = known;
      return found ? `key-${found.toString('hex').slice(0, 16)}` : undefined;
    },
  };
}
