/**
 * The graceful shutdown, in the order it runs. The order matters: nothing new may
 * start while uploads finish; subscriptions end (their "complete" is written)
 * before the sockets that carry them close; the stores and connections go last,
 * once nothing can use them.
 */
import type { Server } from 'node:http';
import type { Logger } from '../logger.js';
import type { StatusPoller } from '../status/status-poller.js';
import type { StatusService } from '../status/status-service.js';
import type { EventStreams } from './event-streams.js';
import type { InFlight } from '../upload/in-flight.js';
import type { AppWebhooks } from '../webhooks/app-webhooks.js';
import type { Backends } from './backends.js';
import type { GraphQLWebSocketServer } from './websocket.js';
import type { GatewayYoga } from './yoga.js';

export interface ShutdownParts {
  server: Server;
  uploads: InFlight;
  status: StatusService;
  poller: StatusPoller;
  /** The app's webhook deliveries: the attempts under way end (each within its deadline). */
  appWebhooks: AppWebhooks | undefined;
  webSockets: GraphQLWebSocketServer;
  eventStreams: EventStreams;
  yoga: GatewayYoga;
  backends: Backends;
  /** The upstream client's connections. */
  closeMavi: () => Promise<void>;
  logger: Logger;
  /** How long uploads under way may take to finish. */
  timeoutMs: number;
}

/** Runs once the caller has marked the gateway as stopping (/ready 503, new uploads refused). */
export async function shutDown(parts: ShutdownParts): Promise<void> {
  const { server, logger } = parts;
  // 1. No new connections; idle keep-alive connections close now.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();

  // 2. Uploads under way may finish, within the timeout.
  const finished = await parts.uploads.settle(parts.timeoutMs);
  if (!finished) logger.warn('shutdown timeout: cutting uploads still in flight', { count: parts.uploads.size });

  // 3. Subscriptions complete (SSE streams end with "complete"). Ending one runs through promise
  //    callbacks only: two turns of the event loop later, every transport has written it.
  await parts.status.endAll();
  for (let turn = 0; turn < 2; turn += 1) await new Promise((resolve) => setImmediate(resolve));

  // 4. Polling and webhook deliveries stop; websockets close with 1001 (going away); Yoga lets go of its resources.
  await parts.poller.stop();
  await parts.appWebhooks?.stop();
  await parts.webSockets.close();
  parts.eventStreams.close();
  await parts.yoga.dispose();

  // 5. Whatever is left (cut uploads, whose upstream requests abort with them) is closed.
  server.closeAllConnections();
  await closed;

  // 6. The state's backends and the upstream connections, now that nothing can use them.
  await parts.backends.close();
  await parts.closeMavi();
  logger.info('gateway stopped');
}
