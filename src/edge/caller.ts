/**
 * Who is calling: decided once per request (or once per websocket, at its
 * connection_init) and handed on through the server context to Yoga's context
 * and the websocket's operations, so that no later stage reads credentials
 * again. Today a caller is a client key (GATEWAY_API_KEYS, auth/client-keys.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { ClientKeys } from '../auth/client-keys.js';
import { refusal, type Refusal } from '../errors.js';
import type { Caller } from '../graphql/context.js';

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

export function isRefusal(identified: Caller | Refusal): identified is Refusal {
  return 'code' in identified;
}

export function callerIdentification(keys: ClientKeys): CallerIdentification {
  const identify = (authorization: string | undefined): Promise<Caller | Refusal> => {
    const ownerId = keys.identify(authorization);
    return Promise.resolve(ownerId === undefined ? refusal('UNAUTHENTICATED') : { ownerId });
  };
  return {
    ofRequest: (req) => identify(req.headers.authorization),
    ofWebSocket(upgrade, connectionParams) {
      const fromParams = connectionParams?.authorization;
      return identify(upgrade.headers.authorization ?? (typeof fromParams === 'string' ? fromParams : undefined));
    },
  };
}
