/**
 * The long-lived parts of one gateway instance, built once in createGateway and
 * handed to resolvers (through the GraphQL context) and to the HTTP routes.
 */
import type { ClientKeys } from './auth/client-keys.js';
import type { GatewayConfig } from './config.js';
import type { StatusBus } from './events/status-bus.js';
import type { Logger } from './logger.js';
import type { MaviClient } from './mavi/client.js';
import type { StatusStore } from './status/status-store.js';
import type { InFlight } from './server/in-flight.js';
import type { CallbackTokens } from './webhook/callback-token.js';

export interface GatewayServices {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly mavi: MaviClient;
  readonly store: StatusStore;
  readonly events: StatusBus;
  readonly tokens: CallbackTokens;
  readonly clientKeys: ClientKeys;
  /** Uploads under way; shutdown waits for them. */
  readonly uploads: InFlight;
  /** The base URL MAVI calls back to, or undefined when MAVI cannot reach us (then we poll). */
  callbackBaseUrl(): string | undefined;
}
