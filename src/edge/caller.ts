/**
 * Who is calling: decided once per request (or once per websocket, at its
 * connection_init) and handed on through the server context to Yoga's context
 * and the websocket's operations, so that no later stage reads credentials
 * again. A caller presents `Authorization: Bearer <credential>`:
 *  - an end user's token (a JWT, when AUTH_ISSUER is set), verified locally
 *    (auth/user-tokens.ts): the caller is that user;
 *  - or a client key (GATEWAY_API_KEYS, auth/client-keys.ts): the caller is
 *    the app itself, as its servers call.
 */
import { clientPartition, type Caller } from '../identity.js';
import type { IncomingMessage } from 'node:http';
import type { ClientKeys } from '../auth/client-keys.js';
import type { UserTokens } from '../auth/user-tokens.js';
import { looksLikeToken } from '../config.js';
import { refusal, type Refusal } from '../errors.js';

export interface CallerIdentification {
  /** The caller of an HTTP request, from its Authorization header; UNAUTHENTICATED when it has none that is valid. */
  ofRequest(req: IncomingMessage): Promise<Caller | Refusal>;
  /**
   * The caller of a websocket: the upgrade request's Authorization header, or
   * `connectionParams.authorization` (browsers cannot set websocket headers).
   */
  ofWebSocket(
    upgrade: IncomingMessage,
    connectionParams: Readonly<Record<string, unknown>> | undefined,
  ): Promise<Caller | Refusal>;
}

export function callerIdentification(keys: ClientKeys, tokens: UserTokens | undefined): CallerIdentification {
  const missing = refusal(
    'UNAUTHENTICATED',
    tokens ? 'A valid token or client key is required: send Authorization: Bearer <token>.' : undefined,
  );
  const identify = async (authorization: string | undefined): Promise<Caller | Refusal> => {
    const credential = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (tokens && credential !== undefined && looksLikeToken(credential)) return tokens.verify(credential);
    // With tokens on and no client key configured, nobody is anonymous.
    if (tokens && keys.open) return missing;
    const ownerId = keys.identify(authorization);
    // A client key is the app itself: its own partition at MAVI, whatever MAVI_PARTITION says for users.
    if (ownerId === undefined) return missing;
    // An open gateway's callers are nobody in particular: their videos have no owner to name.
    const names = keys.open ? undefined : { user: null, tenant: null, key: clientPartition(ownerId) };
    return { ownerId, partition: clientPartition(ownerId), names, adminOf: undefined, expiresAt: undefined };
  };
  return {
    ofRequest: (req) => identify(req.headers.authorization),
    ofWebSocket(upgrade, connectionParams) {
      const fromParams = connectionParams?.authorization;
      return identify(upgrade.headers.authorization ?? (typeof fromParams === 'string' ? fromParams : undefined));
    },
  };
}

/**
 * A request with more than one Authorization header is refused (400) before anyone is
 * identified: Node keeps one of them, and a proxy in front that reads another would have
 * authorized somebody else.
 */
export function repeatedAuthorization(req: IncomingMessage): Refusal | undefined {
  let count = 0;
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    if (req.rawHeaders[index]!.toLowerCase() === 'authorization') count += 1;
  }
  return count > 1
    ? refusal('MALFORMED_REQUEST', `The request has ${count} Authorization headers: send one (HTTP 400).`)
    : undefined;
}
