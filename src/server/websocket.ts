/**
 * graphql-ws on the same port and path as Yoga (subprotocol graphql-transport-ws),
 * through graphql-ws's transport seam: `makeServer` plus `server.opened({ send,
 * close, onMessage })`, as its own `use/ws` does, so that the gateway decides how
 * frames are written (coalesced, see coalesce-writes.ts) and where errors are
 * logged (the redacting logger, never the console).
 *
 * Every operation is built from `yoga.getEnveloped`, Yoga's documented recipe, so
 * websocket operations run through the same plugins, context and error masking
 * as HTTP ones. A broken operation (a syntax error, a refused context) is an
 * `error` message for that operation id; the socket and its other subscriptions
 * stay up.
 */
import type { Caller, Viewer } from '../identity.js';
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { randomUUID } from 'node:crypto';
import {
  CloseCode,
  handleProtocols,
  makeServer,
  type Server as GraphQLWsServer,
  type ServerOptions,
  type SubscribePayload as SubscribeParams,
} from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { repeatedAuthorization, type CallerIdentification } from '../edge/caller.js';
import { GRAPHQL_PATH } from '../edge/paths.js';
import { gatewayError, isRefusal, StoreUnavailableError } from '../errors.js';
import { withRequestId, type Logger } from '../logger.js';
import { OpenPerOwner } from '../limits/open-per-owner.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { isShareableSubscription } from '../graphql/shared-results.js';
import { coalesceWrites } from './coalesce-writes.js';
import { atExpiry } from './plugins/use-token-expiry.js';
import { groupKey, SharedSubscriptions, SocketSubscriber, type SendFrame } from './shared-subscriptions.js';
import { carriesInternals, forStream, isAsyncIterable, streamPayload, withoutInternals } from './stream-results.js';
import type { GatewayYoga } from './yoga.js';

interface EnvelopedExecution {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  /** The operation's request id (see logger.ts withRequestId). */
  requestId: string;
}

interface SocketExtra {
  socket: WebSocket;
  /**
   * The upgrade request's Authorization header, until connection_init is answered: all of the
   * upgrade request that is needed (the request itself is not held for the socket's life).
   */
  upgradeAuthorization: string | undefined;
  /** Writes a frame the way graphql-ws's own frames are written (coalesced). */
  sendFrame: SendFrame;
  /**
   * Ids of this socket's unshared subscriptions that opened a stream (the open-subscriptions
   * gauge); a shared one counts itself (SocketSubscriber). Made at the first, gone when empty.
   */
  streaming: Set<string> | undefined;
  /**
   * Ids whose subscribe is still being set up (context, validation, the resolver's
   * checks). graphql-ws forgets an id as soon as the client completes it, even while
   * its operation is starting; a new subscribe with that id would then run beside
   * the first, and the first's stream would belong to no id, outliving the socket.
   */
  starting: Set<string> | undefined;
  /**
   * Aborted when the socket closes: its operations' MAVI calls are cancelled then. Its signal
   * (an EventTarget: about 0.75 KiB) is made only for an operation that is given it.
   */
  closed: AbortController;
  /** Cancels the close at the token's expiry (a caller with a token). */
  cancelExpiry?: () => void;
  /** Who opened the socket, once its connection_init is accepted. */
  caller?: Caller;
}

const WEBSOCKET = { transport: 'websocket' } as const;

/** RFC 6455's "Try Again Later": the server cannot take the socket now, but may soon. */
const TRY_AGAIN_LATER = 1013;

/** The close code for a caller refused (graphql-ws's Forbidden); the reason says why. */
const FORBIDDEN = CloseCode.Forbidden;

/** A close reason holds at most 123 bytes of UTF-8 (RFC 6455): longer words are cut. */
function closeReason(message: string): string {
  const bytes = Buffer.from(`Forbidden: ${message}`);
  return bytes.length <= 123
    ? bytes.toString()
    : `${bytes
        .subarray(0, 120)
        .toString()
        .replace(/\uFFFD$/, '')}…`;
}

/** The close code for a limit reached (graphql-ws's "too many" code; the reason says which limit). */
const TOO_MANY = CloseCode.TooManyInitialisationRequests;

export interface WebSocketLimits {
  /** The largest frame read; a larger one closes the socket (1009) before it is held. */
  maxPayloadBytes: number;
  /** A socket that sends no connection_init within this long is closed (4408). */
  initTimeoutMs: number;
  /** Server pings: a socket that has not answered the previous ping is terminated. */
  pingIntervalMs: number;
  maxSubscriptionsPerSocket: number;
  /** Per client key (per instance). */
  maxSocketsPerClient: number;
}

export interface GraphQLWebSocketServer {
  /** Stops accepting sockets and closes every open one with 1001 "Going away". */
  close(): Promise<void>;
}

/** What the websocket's steps share. */
interface WebSocketDeps {
  yoga: GatewayYoga;
  callers: CallerIdentification;
  logger: Logger;
  metrics: Pick<GatewayMetrics, 'websockets' | 'subscriptions' | 'eventsDelivered'>;
  limits: WebSocketLimits;
}

/**
 * The steps, in order: upgrades are taken (and refused) by `acceptUpgrades`; each socket is
 * served by `serveSocket`; graphql-ws's hooks admit the socket's caller (`admitCaller`), start
 * each operation (`startOperation`) and share identical subscriptions (`shareSubscription`).
 */
export function attachGraphQLWebSocket(
  httpServer: Server,
  yoga: GatewayYoga,
  callers: CallerIdentification,
  logger: Logger,
  metrics: Pick<GatewayMetrics, 'websockets' | 'subscriptions' | 'eventsDelivered'>,
  limits: WebSocketLimits,
): GraphQLWebSocketServer {
  const deps: WebSocketDeps = { yoga, callers, logger, metrics, limits };
  const wss = acceptUpgrades(httpServer, limits, logger);
  // Open sockets per client: a client holding its share is refused another.
  const sockets = new OpenPerOwner(limits.maxSocketsPerClient);
  // One of each for every socket of the server, not one per socket.
  const subscriptionEnded = () => metrics.subscriptions.dec(WEBSOCKET);
  const socketFailed = function (this: WebSocket, error: Error) {
    logger.warn('websocket error', { error });
    this.terminate();
  };
  const shared = new SharedSubscriptions({
    serialise: streamPayload,
    delivered: (count) => metrics.eventsDelivered.inc(WEBSOCKET, count),
    logger,
  });

  const graphqlWs = makeServer<Record<string, unknown> | undefined, SocketExtra>({
    connectionInitWaitTimeout: limits.initTimeoutMs,
    execute: (args) => {
      const root = args.rootValue as EnvelopedExecution;
      return withRequestId(root.requestId, () => root.execute(args)) as never;
    },
    subscribe: (args) => {
      const root = args.rootValue as EnvelopedExecution;
      return withRequestId(root.requestId, () => root.subscribe(args)) as never;
    },
    onConnect: (ctx) => admitCaller(ctx.extra, ctx.connectionParams, deps, sockets),
    // A subscription that opened a stream is counted open until graphql-ws completes it.
    onOperation: (ctx, id, payload, args, result) => {
      doneStarting(ctx.extra, id);
      // Completed, or its socket closed, while starting: graphql-ws closes the stream unread.
      if (!isAsyncIterable(result) || !(id in ctx.subscriptions)) return undefined;
      metrics.subscriptions.inc(WEBSOCKET);
      const member = shareSubscription(shared, ctx.extra, id, payload, args, result, subscriptionEnded);
      if (member === undefined) (ctx.extra.streaming ??= new Set()).add(id);
      return member;
    },
    onComplete: (ctx, id) => {
      if (!ctx.extra.streaming?.delete(id)) return;
      metrics.subscriptions.dec(WEBSOCKET);
      if (ctx.extra.streaming.size === 0) ctx.extra.streaming = undefined;
    },
    // `extensions.http` (a status and headers) belongs to HTTP answers: on a socket it is left out.
    onNext: (ctx, id, _payload, _args, result) => {
      if (ctx.extra.streaming?.has(id)) metrics.eventsDelivered.inc(WEBSOCKET);
      return result.errors?.some(carriesInternals) ? forStream(result) : undefined;
    },
    onError: (_ctx, _id, _payload, errors) =>
      errors.some(carriesInternals) ? errors.map(withoutInternals) : undefined,
    onSubscribe: (ctx, id, params) => startOperation(ctx, id, params, deps),
  });

  wss.on('connection', (socket, request) => serveSocket(graphqlWs, socket, request, deps, sockets, socketFailed));
  const stopPinging = pingUntilGone(wss, limits.pingIntervalMs);

  return {
    close: async () => {
      stopPinging();
      for (const socket of wss.clients) socket.close(1001, 'Going away');
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Takes websocket upgrades at GRAPHQL_PATH; one with two Authorization headers is refused (400), as every route refuses it. */
function acceptUpgrades(httpServer: Server, limits: WebSocketLimits, logger: Logger): WebSocketServer {
  const wss = new WebSocketServer({
    server: httpServer,
    path: GRAPHQL_PATH,
    handleProtocols,
    maxPayload: limits.maxPayloadBytes,
    verifyClient: ({ req }, accept) => {
      const repeated = repeatedAuthorization(req);
      if (repeated) accept(false, 400, repeated.message);
      else accept(true);
    },
  });
  // The HTTP server's own errors come through here too; a failure to listen is the start's to report.
  wss.on('error', (error: NodeJS.ErrnoException) => {
    if (error.syscall !== 'listen') logger.error('websocket server error', { error });
  });
  return wss;
}

/**
 * connection_init: the socket's caller. One without a valid credential is closed with 4403
 * Forbidden (1013 while the provider's keys are not loaded); a client already holding its share
 * of sockets with 4429.
 */
async function admitCaller(
  extra: SocketExtra,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  deps: WebSocketDeps,
  sockets: OpenPerOwner,
): Promise<boolean> {
  const identified = await deps.callers.ofWebSocket(extra.upgradeAuthorization, connectionParams);
  extra.upgradeAuthorization = undefined;
  if (isRefusal(identified)) {
    // The provider's keys not loaded yet is no verdict on the token: the client may try again soon.
    if (identified.code === 'IDENTITY_PROVIDER_UNAVAILABLE') extra.socket.close(TRY_AGAIN_LATER, identified.message);
    // Forbidden, with the refusal's words as the reason (a close reason holds 123 bytes), so a client can say why.
    else extra.socket.close(FORBIDDEN, closeReason(identified.message));
    return false;
  }
  // The socket may have closed while its caller was identified: it must not count then.
  if (extra.socket.readyState !== extra.socket.OPEN) return false;
  if (!sockets.take(identified.ownerId)) {
    extra.socket.close(TOO_MANY, `Too many sockets for this client (at most ${deps.limits.maxSocketsPerClient})`);
    return false;
  }
  extra.caller = identified;
  if (identified.expiresAt !== undefined) closeAtExpiry(extra, identified.expiresAt);
  return true;
}

/**
 * A subscription whose fields are shareable joins the group of its caller's identical
 * subscriptions, whose one stream writes every member's frames.
 */
function shareSubscription(
  shared: SharedSubscriptions,
  extra: SocketExtra,
  id: string,
  payload: { operationName?: string | null; variables?: unknown; query: string },
  args: ExecutionArgs,
  result: AsyncIterable<ExecutionResult>,
  ended: () => void,
): SocketSubscriber | undefined {
  if (!isShareableSubscription(args.schema, args.document, args.operationName)) return undefined;
  const member = new SocketSubscriber(id, extra.sendFrame, ended);
  member.group = shared.join(groupKey((args.contextValue as { viewer: Viewer }).viewer, payload), result, member);
  // graphql-ws keeps these arguments for the life of the subscription, but only to hand
  // them to onNext, which a shared subscriber never reaches (its group writes its frames):
  // the operation's context and enveloped functions need not live that long.
  args.contextValue = undefined;
  args.rootValue = undefined;
  return member;
}

/** The operation has started (or failed to): its id may be used again. The set goes when empty (idle sockets hold none). */
function doneStarting(extra: SocketExtra, id: string): void {
  extra.starting?.delete(id);
  if (extra.starting?.size === 0) extra.starting = undefined;
}

/**
 * subscribe: an operation of its own, with its own request id on every line it logs, built
 * through Yoga's envelop. A broken one (too many on the socket, a reused id, a syntax error, a
 * refused context) is that operation's error.
 */
function startOperation(
  ctx: Parameters<NonNullable<ServerOptions<Record<string, unknown> | undefined, SocketExtra>['onSubscribe']>>[0],
  id: string,
  params: SubscribeParams,
  deps: WebSocketDeps,
) {
  const { limits, yoga, logger } = deps;
  if (Object.keys(ctx.subscriptions).length >= limits.maxSubscriptionsPerSocket) {
    ctx.extra.socket.close(
      TOO_MANY,
      `Too many subscriptions on this socket (at most ${limits.maxSubscriptionsPerSocket})`,
    );
    return [new GraphQLError('Too many subscriptions on this socket.')];
  }
  // An id is in use until its operation has started, as graphql-ws holds it in use while it runs.
  if (ctx.extra.starting?.has(id)) {
    ctx.extra.socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
    return [new GraphQLError(`Subscriber for ${id} already exists.`)];
  }
  (ctx.extra.starting ??= new Set()).add(id);
  const requestId = randomUUID();
  return withRequestId(requestId, async () => {
    try {
      const initialContext = {
        ...ctx,
        socket: ctx.extra.socket,
        streamedBy: 'websocket' as const,
        params,
        signal: undefined as AbortSignal | undefined,
        caller: ctx.extra.caller,
      };
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped(initialContext);
      const document = parse(params.query);
      // A shareable subscription calls nothing a leaving client should cancel, and its context
      // lives as long as it does (graphql/shared-results.ts): it is given no signal. The context
      // is built from this object when contextFactory runs.
      if (!isShareableSubscription(schema, document, params.operationName)) {
        initialContext.signal = ctx.extra.closed.signal;
      }
      const args: ExecutionArgs = {
        schema,
        operationName: params.operationName,
        document,
        variableValues: params.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe, requestId } satisfies EnvelopedExecution,
      };
      const errors = validate(args.schema, args.document);
      if (errors.length > 0) doneStarting(ctx.extra, id);
      return errors.length > 0 ? errors : args;
    } catch (error) {
      doneStarting(ctx.extra, id);
      // A syntax error or a refused context is this operation's error, not the socket's.
      if (error instanceof GraphQLError) return [error];
      if (error instanceof StoreUnavailableError) return [gatewayError('STORE_UNAVAILABLE')];
      logger.error('websocket operation could not start', { error });
      return [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
    }
  });
}

/** One socket: its frames written coalesced, its messages handed to graphql-ws, pinged until it is gone. */
function serveSocket(
  graphqlWs: GraphQLWsServer<SocketExtra>,
  socket: WebSocket,
  request: IncomingMessage,
  deps: WebSocketDeps,
  sockets: OpenPerOwner,
  failed: (this: WebSocket, error: Error) => void,
): void {
  const { metrics, logger } = deps;
  metrics.websockets.inc();
  socket.on('error', failed);
  // graphql-ws waits for each frame's send; see coalesce-writes.ts for why they leave together.
  const send = coalesceWrites(request.socket, socket.send.bind(socket));
  const sendFrame: SendFrame = (frame) => {
    // A write that fails breaks the socket, whose close then ends its subscriptions.
    if (socket.readyState === socket.OPEN) send(frame)?.catch(() => undefined);
  };
  const extra: SocketExtra = {
    socket,
    upgradeAuthorization: request.headers.authorization,
    sendFrame,
    streaming: undefined,
    starting: undefined,
    closed: new AbortController(),
  };
  const closed = graphqlWs.opened(
    {
      protocol: socket.protocol,
      send: (data) => (socket.readyState === socket.OPEN ? send(data) : undefined),
      close: (code, reason) => socket.close(code, reason),
      onMessage: (handle) => {
        // One handler per socket: a subscription's handling stays pending for its whole life.
        const failed = (error: unknown) => {
          logger.error('websocket message handling failed', { error });
          socket.close(CloseCode.InternalServerError, 'Internal server error');
        };
        socket.on('message', (data) => {
          handle(String(data)).catch(failed);
        });
      },
    },
    extra,
  );
  socket.on('pong', answeredPing);
  socket.once('close', (code, reason) => {
    metrics.websockets.dec();
    extra.closed.abort();
    extra.cancelExpiry?.();
    if (extra.caller) sockets.give(extra.caller.ownerId);
    closed(code, reason.toString()).catch((error: unknown) =>
      logger.error('websocket close handling failed', { error }),
    );
  });
}

/** Sockets that have not answered the last ping (the others answered, or were just opened). */
const missedPong = new WeakSet<WebSocket>();

/** A socket's pong: it is there. One function for every socket: nothing is held per socket for it. */
function answeredPing(this: WebSocket): void {
  missedPong.delete(this);
}

/**
 * Pings find peers that vanished without a close: one that missed a ping is terminated, its
 * subscriptions freed. One timer for every socket of the server (ws's own heartbeat recipe),
 * not one per socket. Answers the function that stops it.
 */
function pingUntilGone(wss: WebSocketServer, intervalMs: number): () => void {
  const pinger = setInterval(() => {
    for (const socket of wss.clients) {
      if (missedPong.has(socket)) {
        socket.terminate();
        continue;
      }
      missedPong.add(socket);
      socket.ping();
    }
  }, intervalMs);
  pinger.unref();
  return () => clearInterval(pinger);
}

/**
 * Closes the socket with 4403 when the token it was opened with expires: its
 * subscriptions end (a chat's call to MAVI is aborted with them), and a
 * graphql-ws client reconnects with a fresh token (its connectionParams may be a
 * function that fetches one).
 */
function closeAtExpiry(extra: SocketExtra, expiresAt: number): void {
  extra.cancelExpiry = atExpiry(expiresAt, () => extra.socket.close(FORBIDDEN, 'Forbidden: the token expired'));
}
