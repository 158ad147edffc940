/**
 * Who is calling: decided once per request (or once per websocket, at its
 * connection_init) and handed on through the server context to Yoga's context
 * and the websocket's operations, so that no later stage reads credentials
 * again. A caller presents `Authorization: Bearer <credential>`:
 *  - an end user's token (a JWT, when AUTH_ISSUER is set), verified locally
 *    (auth/user-tokens.ts): the caller is that user;
 *  - or a client key (GATEWAY_API_KEYS, auth/client-keys.ts): the caller is
 *    the app's client, in a partition of its own;
 *  - or a service key (GATEWAY_SERVICE_KEYS): the caller is the app's backend,
 *    which sees and manages every video and may name any owner.
 */
import { EVERY_OWNER, keyOwner, type Caller, type Owner, type OwnerNames } from '../identity.js';
import type { IncomingMessage } from 'node:http';
import type { ClientKeys } from '../auth/client-keys.js';
import type { UserTokens } from '../auth/user-tokens.js';
import { looksLikeToken } from '../config.js';
import { refusal, type Refusal } from '../errors.js';

export interface CallerIdentification {
  /** The owner a service caller names (`OwnerInput`): a user by its claims, or a client key by its name. */
  ownerNamed(names: Partial<OwnerNames>): Owner | Refusal;
  /** The caller of an HTTP request, from its Authorization header; UNAUTHENTICATED when it has none that is valid. */
  ofRequest(req: IncomingMessage): Promise<Caller | Refusal>;
  /**
   * The caller of a websocket: the upgrade request's Authorization header (`upgradeAuthorization`),
   * or `connectionParams.authorization` (browsers cannot set websocket headers).
   */
  ofWebSocket(
    upgradeAuthorization: string | undefined,
    connectionParams: Readonly<Record<string, unknown>> | undefined,
  ): Promise<Caller | Refusal>;
}

export function callerIdentification(
  keys: ClientKeys,
  tokens: UserTokens | undefined,
  serviceKeys: ClientKeys,
): CallerIdentification {
  const missing = refusal(
    'UNAUTHENTICATED',
    tokens ? 'A valid token or client key is required: send Authorization: Bearer <token>.' : undefined,
  );
  const identify = async (authorization: string | undefined): Promise<Caller | Refusal> => {
    const credential = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (tokens && credential !== undefined && looksLikeToken(credential)) return tokens.verify(credential);
    const service = serviceKeys.open ? undefined : serviceKeys.identify(authorization);
    if (service !== undefined) return { ...keyOwner(service), adminOf: EVERY_OWNER, expiresAt: undefined };
    // With tokens on and no client key configured, nobody is anonymous.
    if (tokens && keys.open) return missing;
    const ownerId = keys.identify(authorization);
    // A client key is the app itself: its own partition at MAVI, whatever MAVI_PARTITION says for users.
    if (ownerId === undefined) return missing;
    const owner = keyOwner(ownerId);
    // An open gateway's callers are nobody in particular: their videos have no owner to name.
    if (keys.open) delete owner.names;
    return { ...owner, adminOf: undefined, expiresAt: undefined };
  };
  return {
    ownerNamed: (names) => ownerNamed(keys, tokens, names),
    ofRequest: (req) => identify(req.headers.authorization),
    ofWebSocket(upgradeAuthorization, connectionParams) {
      const fromParams = connectionParams?.authorization;
      return identify(upgradeAuthorization ?? (typeof fromParams === 'string' ? fromParams : undefined));
    },
  };
}

/**
 * The owner named by the app's own names for it: a user (its user claim, with its tenant claim
 * when AUTH_TENANT_CLAIM is set) or a client key (its name); one of the two, and one that exists.
 */
function ownerNamed(
  keys: ClientKeys,
  tokens: UserTokens | undefined,
  { user, tenant, key }: Partial<OwnerNames>,
): Owner | Refusal {
  if ((user != null) === (key != null)) {
    return refusal('INVALID_INPUT', 'Name an owner by its user (and tenant) or by its client key, one of the two.');
  }
  if (key != null) {
    const ownerId = keys.ownerIdNamed(key);
    return ownerId === undefined
      ? refusal('INVALID_INPUT', 'No client key (GATEWAY_API_KEYS) has that name.')
      : keyOwner(ownerId);
  }
  if (!tokens) return refusal('INVALID_INPUT', 'This gateway has no signed-in users (AUTH_ISSUER is not set).');
  const owner = tokens.ownerNamed(user!, tenant ?? null);
  return (
    owner ??
    refusal('INVALID_INPUT', "A user is named with its tenant here (AUTH_TENANT_CLAIM): give the owner's tenant.")
  );
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
