import type { YogaInitialContext } from 'graphql-yoga';
import type { GatewayServices } from '../services.js';

/** What the gateway adds to every operation's context. */
export interface GatewayUserContext {
  services: GatewayServices;
  /** The caller's identity for per-client isolation: a hash of its key, or "anonymous". */
  ownerId: string;
}

/** What every resolver gets: Yoga's context (request, params) plus the gateway's. */
export type GatewayContext = YogaInitialContext & GatewayUserContext;
