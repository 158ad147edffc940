/**
 * graphql-ws on the same port and path as Yoga (subprotocol graphql-transport-ws).
 * Every operation is built from `yoga.getEnveloped`, Yoga's documented recipe, so
 * websocket operations run through the same plugins, context and error masking
 * as HTTP ones.
 */
import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { websocketAuthorization, type ClientKeys } from '../auth/client-keys.js';
import { coalesceWrites } from './coalesce-writes.js';
import { GRAPHQL_PATH, type GatewayYoga } from './yoga.js';

interface EnvelopedExecution {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

export interface GraphQLWebSocketServer {
  /** Stops accepting sockets and closes every open one with 1001 "Going away". */
  close(): Promise<void>;
}

export function attachGraphQLWebSocket(
  httpServer: Server,
  yoga: GatewayYoga,
  clientKeys: ClientKeys,
): GraphQLWebSocketServer {
  const wss = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  wss.on('connection', (socket, request) => {
    // graphql-ws sends text frames with a completion callback; see coalesce-writes.ts.
    socket.send = coalesceWrites(request.socket, socket.send.bind(socket)) as typeof socket.send;
  });

  const graphqlWs = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedExecution).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedExecution).subscribe(args) as never,
      // A connection without a valid client key is closed with 4403 Forbidden.
      onConnect: (ctx) => {
        const authorization = websocketAuthorization(ctx.extra.request.headers.authorization, ctx.connectionParams);
        return clientKeys.identify(authorization) !== undefined;
      },
      onSubscribe: async (ctx, _id, params) => {
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
          rootValue: { execute, subscribe } satisfies EnvelopedExecution,
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
  );

  return {
    close: async () => {
      await graphqlWs.dispose();
    },
  };
}
