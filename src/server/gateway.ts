/**
 * One gateway instance: builds the services, wires node:http, Yoga, graphql-ws,
 * the webhook route and the health routes, and starts and stops them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { GatewayConfig } from '../config.js';
import { createClientKeys, UNAUTHENTICATED_HEADERS } from '../auth/client-keys.js';
import { memoryTransport, StatusBus, type StatusEventTransport } from '../events/status-bus.js';
import { createLogger, type Logger } from '../logger.js';
import { createMaviClient } from '../mavi/client.js';
import type { GatewayServices } from '../services.js';
import { redisTransport } from '../events/redis-transport.js';
import { connectRedis } from '../redis/redis-connections.js';
import { createMemoryStatusStore } from '../status/memory-status-store.js';
import { createPollLeases } from '../status/poll-leases.js';
import { createRedisStatusStore } from '../status/redis-status-store.js';
import { StatusPoller, type StatusPollerOptions } from '../status/status-poller.js';
import { UploadAdmission } from '../upload/upload-admission.js';
import { createCallbackTokens } from '../webhook/callback-token.js';
import { WEBHOOK_PATH_PREFIX } from '../webhook/callback-token.js';
import { handleWebhook, isWebhookPath } from '../webhook/webhook-route.js';
import { sendError, sendGraphQLError, sendJson } from './http-responses.js';
import { InFlight } from './in-flight.js';
import { startBodyDeadline } from './body-deadline.js';
import { isMultipartRequest, prepareMultipartRequest } from './multipart-request.js';
import { attachGraphQLWebSocket } from './websocket.js';
import { createGatewayYoga, GRAPHQL_PATH } from './yoga.js';

export interface GatewayOptions {
  logger?: Logger;
  /**
   * With no PUBLIC_URL, use the gateway's own listening address as the callback
   * base. Right when MAVI is a local simulator; never for the real MAVI, which
   * cannot reach a loopback address.
   */
  callbackToSelf?: boolean;
  /** How status events travel; in memory unless given (Redis, or a test's recorder). */
  events?: StatusEventTransport;
  /** Fine-tuning of the polling fallback (tests shorten its thresholds). */
  polling?: Partial<Omit<StatusPollerOptions, 'intervalMs' | 'pollAll'>>;
}

export interface Gateway {
  readonly services: GatewayServices;
  readonly server: Server;
  /** The base URL the gateway listens on, e.g. http://127.0.0.1:4000 (after start). */
  readonly url: string;
  start(): Promise<void>;
  /** Graceful: refuses new work, lets uploads finish (bounded), closes subscriptions. */
  stop(): Promise<void>;
}

export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger();
  for (const secret of [config.maviApiKey, config.webhookSecret, ...config.gatewayApiKeys]) {
    if (secret) logger.addSecret(secret);
  }

  let webhookSecret = config.webhookSecret;
  if (!webhookSecret) {
    webhookSecret = randomBytes(32).toString('base64url');
    logger.warn(
      'WEBHOOK_SECRET is not set: using a random secret for this process. Callback URLs stop working after a restart, and several instances need one shared WEBHOOK_SECRET.',
    );
  }

  // Several instances share Redis when REDIS_URL is set; otherwise everything is in memory.
  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger) : undefined;

  let url = '';
  let stopping = false;
  let stopped: Promise<void> | undefined;
  const mavi = createMaviClient({ baseUrl: config.maviBaseUrl, apiKey: requireKey(config.maviApiKey) });
  const services: GatewayServices = {
    config,
    logger,
    mavi,
    store: redis
      ? createRedisStatusStore({ redis: redis.command, prefix: config.redisPrefix })
      : createMemoryStatusStore(),
    events: new StatusBus(
      options.events ?? (redis ? redisTransport(redis) : memoryTransport()),
      redis ? config.redisPrefix : '',
    ),
    tokens: createCallbackTokens(webhookSecret),
    clientKeys: createClientKeys(config.gatewayApiKeys),
    uploads: new InFlight(),
    callbackBaseUrl: () => config.publicUrl ?? (options.callbackToSelf ? url : undefined),
  };

  const yoga = createGatewayYoga(services);
  const admission = new UploadAdmission({
    keys: services.clientKeys,
    maxUploadBytes: config.maxUploadBytes,
    maxConcurrentUploadsPerKey: config.maxConcurrentUploadsPerKey,
  });
  const poller = new StatusPoller(
    {
      mavi,
      store: services.store,
      events: services.events,
      logger,
      claim: redis
        ? createPollLeases(
            redis.command,
            config.redisPrefix,
            randomBytes(8).toString('hex'),
            config.statusPollIntervalMs,
          )
        : undefined,
    },
    {
      ...options.polling,
      intervalMs: config.statusPollIntervalMs,
      pollAll: () => services.callbackBaseUrl() === undefined,
    },
  );

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/ready') {
      const ready = !stopping && services.store.isReady() && (redis?.isReady() ?? true);
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : stopping ? 'stopping' : 'not ready' });
    }
    const liftBodyDeadline = startBodyDeadline(req, config.requestBodyTimeoutMs, () =>
      logger.info('dropped a request whose body did not arrive in time', {
        path: pathname.startsWith(WEBHOOK_PATH_PREFIX) ? WEBHOOK_PATH_PREFIX : pathname,
        timeoutMs: config.requestBodyTimeoutMs,
      }),
    );
    if (isWebhookPath(pathname)) return handleWebhook(services, req, res, pathname);
    if (pathname === GRAPHQL_PATH && isMultipartRequest(req)) {
      if (stopping) return sendGraphQLError(res, 'SHUTTING_DOWN', undefined, { connection: 'close' });
      const admitted = await prepareMultipartRequest(req, res, admission, {
        measureFileStart: config.maviUploadContentLength,
      });
      if (!admitted) return;
      liftBodyDeadline(); // the envelope is read; the file streams at whatever pace MAVI reads it
    } else if (
      pathname === GRAPHQL_PATH &&
      req.method === 'POST' &&
      services.clientKeys.identify(req.headers.authorization) === undefined
    ) {
      // The key is checked before any body is read: a caller without one costs no memory.
      return sendGraphQLError(res, 'UNAUTHENTICATED', undefined, { ...UNAUTHENTICATED_HEADERS, connection: 'close' });
    }
    return yoga(req, res);
  };

  const server = createServer(
    {
      // Uploads of gigabytes take longer than Node's default 5-minute request timeout.
      requestTimeout: 0,
      headersTimeout: 60_000,
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        logger.error('request failed', { error, path: req.url?.split('?')[0] });
        if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');
        else res.destroy();
      });
    },
  );
  const webSockets = attachGraphQLWebSocket(server, yoga, services.clientKeys, logger);

  return {
    services,
    server,
    get url() {
      return url;
    },

    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
      logger.info('gateway listening', { url, graphql: `${url}${GRAPHQL_PATH}` });
      if (services.callbackBaseUrl() === undefined) {
        logger.warn(
          `PUBLIC_URL is not set, so MAVI cannot call back: statuses are learned by polling MAVI every ${config.statusPollIntervalMs} ms.`,
        );
      }
      if (services.clientKeys.open && !isLoopback(address.address)) {
        logger.warn(
          `GATEWAY_API_KEYS is not set and the gateway listens on ${address.address}: anyone who reaches it can upload on your MAVI account and watch any video.`,
        );
      }
      poller.start();
    },

    stop() {
      stopped ??= stopGracefully();
      return stopped;
    },
  };

  async function stopGracefully(): Promise<void> {
    stopping = true;
    // 1. No new connections; /ready turns 503 and new uploads are refused.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // 2. Uploads under way may finish, within the timeout.
    const finished = await services.uploads.settle(config.shutdownTimeoutMs);
    if (!finished) logger.warn('shutdown timeout: cutting uploads still in flight', { count: services.uploads.size });
    // 3. Subscriptions complete (SSE streams end), then websockets close with 1001.
    await services.events.endAll();
    // Ending a subscription runs through promise callbacks only; two turns of the event loop
    // later every transport has written its "complete" message, and the sockets may close.
    for (let turn = 0; turn < 2; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    await poller.stop();
    await webSockets.close();
    await yoga.dispose();
    // 4. Whatever is left (cut uploads, idle keep-alives) is closed.
    server.closeAllConnections();
    await closed;
    await services.store.close();
    await services.events.close();
    await redis?.close();
    await mavi.close();
    logger.info('gateway stopped');
  }
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

function requireKey(key: string | undefined): string {
  if (!key)
    throw new Error('MAVI_API_KEY is required to talk to MAVI (index.ts starts the simulator when it is unset).');
  return key;
}
