/**
 * The Yoga instance: schema, context, error masking, GraphiQL, and the plugins,
 * in the order they run (listed once, here).
 */
import type { CORSOptions } from '@whatwg-node/server';
import { GraphQLError } from 'graphql';
import { createYoga, maskError, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import { gatewayError, isRefusal, refusalError, StoreUnavailableError } from '../errors.js';
import { GRAPHQL_PATH, READY_PATH } from '../edge/paths.js';
import type { GatewayUserContext, ServerContext } from '../graphql/context.js';
import { schema } from '../graphql/schema.js';
import { oneUploadPerOperation } from '../graphql/upload.js';
import type { Logger } from '../logger.js';
import { MaviError } from '../mavi/errors.js';
import type { StatusService } from '../status/status-service.js';
import type { Uploads } from '../upload/upload-video.js';
import type { Chats } from '../videos/chat.js';
import type { Transcripts } from '../videos/transcripts.js';
import type { ResumableUploads } from '../staging/resumable-uploads.js';
import type { VideoLibrary } from '../videos/video-library.js';
import type { CostControl } from '../limits/cost-control.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { isIntrospectionOnly } from './introspection-only.js';
import { useCloseUnfinishedUploads } from './plugins/use-close-unfinished-uploads.js';
import { useGatewayMetrics } from './plugins/use-gateway-metrics.js';
import { useOperationQuota } from './plugins/use-operation-quota.js';
import { useSseLimits, type SseStreamsPerClient } from './plugins/use-sse-limits.js';
import { useTokenExpiry } from './plugins/use-token-expiry.js';
import { useTracing } from './plugins/use-tracing.js';
import { useValidationRule } from './plugins/use-validation-rule.js';
import { useNoIntrospection } from './plugins/use-no-introspection.js';
import { useOperationLimits } from './plugins/use-operation-limits.js';

/** JSON requests carry a query and variables: a few KiB. Uploads bypass this (edge/upload-request.ts). */
export const MAX_JSON_BODY_BYTES = 256 * 1024;

export type GatewayYoga = YogaServerInstance<ServerContext, GatewayUserContext>;

const EXAMPLE_OPERATION = `# Upload a video with curl (GraphiQL cannot send files), see the README:
#   curl http://localhost:4000/graphql -H 'Apollo-Require-Preflight: true' \\
#     -F operations='{"query":"mutation ($file: Upload!) { uploadVideo(file: $file) { videoNo status } }","variables":{"file":null}}' \\
#     -F map='{"0":["variables.file"]}' -F 0=@clip.mp4
# then paste its videoNo below and press play: the status arrives live.

subscription WatchVideo($videoNo: ID! = "mavi_video_…") {
  videoStatus(videoNo: $videoNo) {
    videoNo
    status
    receivedAt
  }
}

query MyVideos {
  videos(first: 10) {
    nodes {
      videoNo
      videoName
      status
      uploadTime
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}

subscription Chat($videoNo: ID! = "mavi_video_…") {
  chat(videoNos: [$videoNo], message: "What happens in this video?") {
    __typename
    ... on ChatText {
      text
    }
    ... on ChatDone {
      sessionId
    }
  }
}
`;

/** Stands in GraphiQL's options for the Headers tab's first content, which the page decides (signedInHeaders). */
const SIGNED_IN_HEADERS = 'mavi-gateway:signed-in-headers';

/**
 * GraphiQL's page, its Headers tab starting with the token of the user signed in to
 * the web app in this browser tab (the web app keeps it in sessionStorage as
 * `mavi-gateway.tokens`, src/web/sign-in.ts), else with where a key goes. The page
 * reads it when it opens: a token refreshed later is not seen until a reload.
 */
function signedInHeaders(html: string, placeholder: string): string {
  const fallback = JSON.stringify({ Authorization: `Bearer ${placeholder}` }, null, 2);
  const headers = `(function () {
    try {
      var tokens = JSON.parse(sessionStorage.getItem('mavi-gateway.tokens') || 'null');
      if (tokens && tokens.accessToken && tokens.expiresAt > Date.now()) {
        return JSON.stringify({ Authorization: 'Bearer ' + tokens.accessToken }, null, 2);
      }
    } catch (error) {}
    return ${JSON.stringify(fallback)};
  })()`;
  return html.replace(JSON.stringify(SIGNED_IN_HEADERS), headers);
}

export interface GatewayYogaOptions {
  /** Client keys or users' tokens are configured: GraphiQL's Headers tab starts with where one goes. */
  keysRequired: boolean;
  /** Users' tokens are taken (AUTH_ISSUER). */
  userTokens: boolean;
  /** CORS_ORIGINS (edge/cors.ts): the same policy the edge's own answers carry. */
  cors: CORSOptions;
  status: StatusService;
  uploads: Uploads;
  library: VideoLibrary;
  images: GatewayUserContext['images'];
  live: GatewayUserContext['live'];
  chats: Chats;
  transcripts: Transcripts;
  resumableUploads: ResumableUploads | undefined;
  erasures: GatewayUserContext['erasures'];
  appWebhooks: GatewayUserContext['appWebhooks'];
  /** The owner an `OwnerInput` names (edge/caller.ts). */
  ownerNamed: GatewayUserContext['ownerNamed'];
  logger: Logger;
  metrics: GatewayMetrics;
  /** The client's operations-a-minute quota. */
  cost: Pick<CostControl, 'spend'>;
  /** Open SSE subscriptions per client, shared with the SSE streams the gateway serves itself. */
  sseStreams: SseStreamsPerClient;
  /** Serve GraphiQL and answer introspection. */
  introspection: boolean;
  /** What GET /ready answers: 'ready' (200), or why not (503). */
  readiness: () => 'ready' | 'stopping' | 'not ready';
}

export function createGatewayYoga(options: GatewayYogaOptions): GatewayYoga {
  const { status, uploads, library, chats, transcripts, logger } = options;
  return createYoga<ServerContext, GatewayUserContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // Uploads are parsed before Yoga (edge/upload-request.ts): Yoga's own parser buffers whole files.
    multipart: false,
    cors: options.cors,
    maxRequestBodySize: MAX_JSON_BODY_BYTES,
    // The caller was identified before Yoga, by the edge (HTTP) or at the socket's connection_init.
    context: ({ caller, request, req, params, signal: socketSignal }) => {
      const identified = caller !== undefined && !isRefusal(caller) ? caller : undefined;
      const ownerId =
        identified?.ownerId ??
        // Keyless schema questions, when introspection is on: budgeted per address (operation quota).
        (options.introspection && request && isIntrospectionOnly(params?.query, params?.operationName ?? undefined)
          ? `introspection:${req?.socket.remoteAddress ?? 'unknown'}`
          : undefined);
      if (ownerId === undefined) {
        throw caller !== undefined && isRefusal(caller) ? refusalError(caller) : gatewayError('UNAUTHENTICATED');
      }
      // HTTP: the request's signal, aborted when its connection closes early. Websocket: the socket's.
      const signal = request?.signal ?? socketSignal;
      // A keyless schema question never reaches MAVI or a video: its partition is never used.
      const viewer = identified ?? { ownerId, partition: 'default', adminOf: undefined };
      return {
        status,
        uploads,
        library,
        images: options.images,
        live: options.live,
        chats,
        transcripts,
        resumableUploads: options.resumableUploads,
        ownerNamed: options.ownerNamed,
        erasures: options.erasures,
        appWebhooks: options.appWebhooks,
        details: library.detailsLoader(signal),
        signal,
        viewer,
      };
    },
    logging: {
      debug: (...args) => logger.debug(String(args[0]), { args: args.slice(1) }),
      info: (...args) => logger.info(String(args[0]), { args: args.slice(1) }),
      warn: (...args) => logger.warn(String(args[0]), { args: args.slice(1) }),
      error: (...args) => logger.error(String(args[0]), { args: args.slice(1) }),
    },
    maskedErrors: {
      // Never "development" mode: masked errors must not carry the original error to clients.
      maskError(error, message) {
        const original = unwrap(error);
        if (original instanceof StoreUnavailableError) {
          logger.warn('status store unavailable', { error: original.message });
          return gatewayError('STORE_UNAVAILABLE');
        }
        if (original instanceof MaviError) {
          // Logged once, with its cause, where the call failed (mavi/http.ts).
          return withoutSecrets(original.toGatewayError(), logger.redact);
        }
        const masked = maskError(error, message, false);
        if (masked !== error) logger.error('unexpected error (masked for the client)', { error: unwrap(error) });
        return withoutSecrets(masked, logger.redact);
      },
    },
    graphiql: options.introspection
      ? {
          title: 'MAVI GraphQL gateway',
          defaultQuery: EXAMPLE_OPERATION,
          // SSE: subscriptions are plain fetches, so they carry the Headers tab (a key) as queries do.
          // GraphiQL's websocket client sends no headers (an empty connection_init).
          subscriptionsProtocol: 'SSE',
          // With keys configured, the Headers tab starts with where the key goes; a user signed in
          // to the web app in this tab finds their token there instead (signedInHeaders).
          ...(!options.keysRequired ? {} : { headers: SIGNED_IN_HEADERS }),
        }
      : false,
    // The GraphiQL bundle is large (about half a second to load): loaded when first asked for, not at start.
    renderGraphiQL: async (graphiqlOptions) =>
      signedInHeaders(
        (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions),
        options.userTokens ? '<your token or client key>' : '<your client key>',
      ),
    landingPage: false,
    // In order: readiness (answers /ready itself), limits (cheapest refusals), metrics, introspection, uploads.
    plugins: [
      useReadinessCheck({
        endpoint: READY_PATH,
        check: ({ fetchAPI }) => {
          const state = options.readiness();
          return fetchAPI.Response.json({ status: state }, { status: state === 'ready' ? 200 : 503 });
        },
      }),
      ...useOperationLimits(),
      ...useGatewayMetrics(options.metrics),
      useOperationQuota(options.cost),
      useSseLimits(options.sseStreams),
      useTokenExpiry(),
      useTracing(),
      ...(options.introspection ? [] : useNoIntrospection()),
      useValidationRule(oneUploadPerOperation),
      useCloseUnfinishedUploads(),
    ],
  });
}

/**
 * The error as the client will see it, with every secret the logger knows
 * replaced: an upstream message may quote a key (MAVI's `msg` is relayed).
 */
function withoutSecrets(error: Error, redact: (text: string) => string): Error {
  if (!(error instanceof GraphQLError)) return error;
  const visible = JSON.stringify({ message: error.message, extensions: error.extensions });
  const redacted = redact(visible);
  if (redacted === visible) return error;
  const { message, extensions } = JSON.parse(redacted) as { message: string; extensions: Record<string, unknown> };
  return new GraphQLError(message, { nodes: error.nodes, path: error.path, extensions });
}

function unwrap(error: unknown): unknown {
  const original = (error as { originalError?: unknown }).originalError;
  return original instanceof Error ? original : error;
}
