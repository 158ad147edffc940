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
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { randomUUID } from 'node:crypto';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { websocketAuthorization, type ClientKeys } from '../auth/client-keys.js';
import { withRequestId, type Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { coalesceWrites } from './coalesce-writes.js';
import { GRAPHQL_PATH, type GatewayYoga } from './yoga.js';

interface EnvelopedExecution {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  /** The operation's request id (see logger.ts withRequestId). */
  requestId: string;
}

interface SocketExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

/** A socket that has not answered a ping within this long is gone (graphql-ws's own default). */
const KEEP_ALIVE_MS = 12_000;

export interface GraphQLWebSocketServer {
  /** Stops accepting sockets and closes every open one with 1001 "Going away". */
  close(): Promise<void>;
}

export function attachGraphQLWebSocket(
  httpServer: Server,
  yoga: GatewayYoga,
  clientKeys: ClientKeys,
  logger: Logger,
  metrics: Pick<GatewayMetrics, 'websockets'>,
): GraphQLWebSocketServer {
  const wss = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, handleProtocols });
  wss.on('error', (error) => logger.error('websocket server error', { error }));

  const graphqlWs = makeServer<Record<string, unknown> | undefined, SocketExtra>({
    execute: (args) => {
      const root = args.rootValue as EnvelopedExecution;
      return withRequestId(root.requestId, () => root.execute(args)) as never;
    },
    subscribe: (args) => {
      const root = args.rootValue as EnvelopedExecution;
      return withRequestId(root.requestId, () => root.subscribe(args)) as never;
    },
    // A connection without a valid client key is closed with 4403 Forbidden.
    onConnect: (ctx) => {
      const authorization = websocketAuthorization(ctx.extra.request.headers.authorization, ctx.connectionParams);
      return clientKeys.identify(authorization) !== undefined;
    },
    // Each operation is a request of its own: its id is on every line it logs.
    onSubscribe: (ctx, _id, params) => {
      const requestId = randomUUID();
      return withRequestId(requestId, async () => {
        try {
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params,
          });
          const args: ExecutionArgs = {
            schema,
            operationName: params.operationName,
            document: parse(params.query),
            variableValues: params.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe, requestId } satisfies EnvelopedExecution,
          };
          const errors = validate(args.schema, args.document);
          return errors.length > 0 ? errors : args;
        } catch (error) {
          // A syntax error or a refused context is this operation's error, not the socket's.
          if (error instanceof GraphQLError) return [error];
          logger.error('websocket operation could not start', { error });
          return [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
        }
      });
    },
  });

  wss.on('connection', (socket, request) => {
    metrics.websockets.inc();
    socket.once('close', () => metrics.websockets.dec());
    socket.on('error', (error) => {
      logger.warn('websocket error', { error });
      socket.terminate();
    });
    // graphql-ws waits for each frame's send; see coalesce-writes.ts for why they leave together.
    const send = coalesceWrites(request.socket, socket.send.bind(socket));
    const closed = graphqlWs.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            handle(String(data)).catch((error: unknown) => {
              logger.error('websocket message handling failed', { error });
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, request },
    );

    // Pings find peers that vanished without a close; their subscriptions are then freed.
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    const pinger = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, KEEP_ALIVE_MS);
    pinger.unref();

    socket.once('close', (code, reason) => {
      clearInterval(pinger);
      closed(code, reason.toString()).catch((error: unknown) =>
        logger.error('websocket close handling failed', { error }),
      );
    });
  });

  return {
    close: async () => {
      for (const socket of wss.clients) socket.close(1001, 'Going away');
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
