/**
 * SSE subscriptions to shareable fields (`videoStatus`), served by the gateway
 * itself, on the stack websockets use, instead of through Yoga's fetch-API
 * responses.
 *
 * Why: Yoga serves each SSE stream with a fetch Request beside Node's, a
 * ReadableStream fed by the subscription's iterator, a keep-alive timer of its
 * own and the whole execution stack per subscriber: 46.7 KiB per idle stream,
 * and one execution per subscriber for every event (bench/ANALYSIS.md). Here a
 * stream is its Node response and a member of a shared group
 * (shared-subscriptions.ts): each event is executed and serialised once per
 * group, then written as an SSE `next` event to each response.
 *
 * What comes here: a request to GRAPHQL_PATH that accepts text/event-stream, from
 * an identified caller, whose operation parses and selects only shareable
 * subscription fields. Everything else (a query, a chat, a syntax error, a body
 * that is not a JSON object) goes to Yoga, with the body already read, and is
 * answered as before.
 *
 * What it keeps, as Yoga's SSE responses do: the operation runs through Yoga's
 * envelop (getEnveloped, as websockets do), so its quota turn, span, limits,
 * checks and masking are the same; the open streams per client
 * (SSE_MAX_STREAMS_PER_CLIENT, one count with Yoga's); the end at the token's
 * expiry; `X-Accel-Buffering: no`; a `:` comment first and every 12 seconds; a
 * refusal answered as one `next` event and `complete`, with its HTTP status and
 * headers; the events counted under `sse`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, parse, type DocumentNode, type ExecutionResult } from 'graphql';
import type { RequestBody } from '../edge/request-body.js';
import type { EventStreamRoute } from '../edge/request-handler.js';
import { gatewayError, refusalError, StoreUnavailableError } from '../errors.js';
import { schema } from '../graphql/schema.js';
import { isShareableSubscription } from '../graphql/shared-results.js';
import type { Caller } from '../identity.js';
import type { Logger } from '../logger.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { OPERATION_LIMITS } from './plugins/use-operation-limits.js';
import type { SseStreamsPerClient } from './plugins/use-sse-limits.js';
import { atExpiry, TOKEN_EXPIRED } from './plugins/use-token-expiry.js';
import { groupKey, SharedSubscriptions, type GroupMember, type Membership } from './shared-subscriptions.js';
import { isAsyncIterable, streamPayload } from './stream-results.js';
import { MAX_JSON_BODY_BYTES, type GatewayYoga } from './yoga.js';

/** Yoga's keep-alive period: proxies that cut quiet connections see a comment this often. */
const KEEP_ALIVE_MS = 12_000;

const SSE = { transport: 'sse' } as const;

/** Yoga's event-stream headers, and `X-Accel-Buffering: no` so that nginx-like proxies pass events on at once. */
const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  connection: 'keep-alive',
  'cache-control': 'no-cache',
  'content-encoding': 'none',
  'x-accel-buffering': 'no',
} as const;

/** Written first: some browsers do not hand a fetch its response until a byte of the body arrives. */
const OPENING = ':\n\n';
const COMPLETE = 'event: complete\ndata:\n\n';
const nextEvent = (payload: string) => `event: next\ndata: ${payload}\n\n`;

interface OperationParams {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

/** What the request asked for: its parameters when they are ours, and the body text read (for Yoga otherwise). */
interface Asked {
  params: OperationParams | undefined;
  bodyText: string | undefined;
}

export interface EventStreamsOptions {
  yoga: GatewayYoga;
  /** The open streams per client, shared with Yoga's SSE responses (plugins/use-sse-limits.ts). */
  streams: SseStreamsPerClient;
  logger: Logger;
  metrics: Pick<GatewayMetrics, 'subscriptions' | 'eventsDelivered'>;
}

export class EventStreams implements EventStreamRoute {
  private readonly shared: SharedSubscriptions;
  /** Every open stream, for the one keep-alive timer they share. */
  private readonly open = new Set<ServerResponse>();
  private readonly keepAlive: NodeJS.Timeout;

  constructor(private readonly options: EventStreamsOptions) {
    this.shared = new SharedSubscriptions({
      serialise: streamPayload,
      delivered: (count) => options.metrics.eventsDelivered.inc(SSE, count),
      logger: options.logger,
    });
    this.keepAlive = setInterval(() => {
      for (const res of this.open) if (!res.writableEnded && !res.destroyed) res.write(OPENING);
    }, KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  accepts(req: IncomingMessage): boolean {
    if (!req.headers.accept?.includes('text/event-stream')) return false;
    if (req.method === 'GET') return true;
    // A body of unknown or excessive length is Yoga's to read (and refuse).
    const declared = Number(req.headers['content-length'] ?? NaN);
    return (
      req.method === 'POST' &&
      /^application\/json\b/i.test(req.headers['content-type'] ?? '') &&
      Number.isInteger(declared) &&
      declared <= MAX_JSON_BODY_BYTES
    );
  }

  async serve(
    req: IncomingMessage,
    res: ServerResponse,
    caller: Caller,
    body: RequestBody,
    toYoga: () => unknown,
  ): Promise<unknown> {
    const asked = await this.read(req, res, body);
    if (asked === undefined) return undefined; // the client left while sending its body
    if (asked.params === undefined || !isShareableOperation(asked.params)) {
      // Yoga reads the body from here (@whatwg-node/server takes a request's `body` as read).
      if (asked.bodyText !== undefined) (req as { body?: unknown }).body = asked.bodyText;
      return toYoga();
    }
    return this.subscribe(req, res, caller, asked.params);
  }

  /** Stops the keep-alive timer (the streams themselves end with their subscriptions). */
  close(): void {
    clearInterval(this.keepAlive);
  }

  private async read(req: IncomingMessage, res: ServerResponse, body: RequestBody): Promise<Asked | undefined> {
    if (req.method === 'GET') {
      const search = new URL(req.url ?? '/', 'http://gateway').searchParams;
      const variables = search.get('variables');
      return {
        params: paramsOf({ ...Object.fromEntries(search), variables: jsonOrNothing(variables) }),
        bodyText: undefined,
      };
    }
    let bodyText: string;
    try {
      bodyText = await body.readText(MAX_JSON_BODY_BYTES);
    } catch (error) {
      if (req.destroyed || res.destroyed) return undefined;
      throw error;
    }
    return { params: paramsOf(jsonOrNothing(bodyText)), bodyText };
  }

  private async subscribe(
    req: IncomingMessage,
    res: ServerResponse,
    caller: Caller,
    params: OperationParams,
  ): Promise<void> {
    const { streams, yoga } = this.options;
    const refused = streams.refusal(caller.ownerId);
    if (refused !== undefined) return answerOnce(res, refused);
    streams.add(caller.ownerId); // taken before the start, so that starts at once cannot pass the limit together
    let result: ExecutionResult | AsyncIterable<ExecutionResult>;
    try {
      const {
        schema,
        parse: parseOperation,
        validate,
        contextFactory,
        subscribe,
      } = yoga.getEnveloped({
        req,
        res,
        caller,
        params,
        // A shareable subscription calls nothing a leaving client should cancel, and its context
        // lives as long as it does (graphql/shared-results.ts): it is given no signal.
        signal: undefined,
        streamedBy: 'sse',
      });
      const document = parseOperation(params.query);
      const errors = validate(schema, document);
      result =
        errors.length > 0
          ? { errors }
          : ((await subscribe({
              schema,
              document,
              operationName: params.operationName,
              variableValues: params.variables,
              contextValue: await contextFactory(),
            })) as ExecutionResult | AsyncIterable<ExecutionResult>);
    } catch (error) {
      result = { errors: [this.startFailure(error)] };
    }
    if (!isAsyncIterable(result)) {
      streams.give(caller.ownerId);
      return answerOnce(res, result);
    }
    if (res.closed || res.destroyed) {
      // The client left while it started: nothing is kept for it.
      streams.give(caller.ownerId);
      await result[Symbol.asyncIterator]().return?.();
      return undefined;
    }
    this.stream(res, caller, params, result);
    return undefined;
  }

  /** The subscription opened: the response becomes an event stream in the subscription's group. */
  private stream(
    res: ServerResponse,
    caller: Caller,
    params: OperationParams,
    result: AsyncIterable<ExecutionResult>,
  ): void {
    const { metrics, streams, logger } = this.options;
    metrics.subscriptions.inc(SSE);
    res.writeHead(200, EVENT_STREAM_HEADERS).write(OPENING);
    this.open.add(res);
    let cancelExpiry: (() => void) | undefined;
    const stream = new EventStream(res, logger, () => {
      // Once, at the stream's end or its connection's close, whichever is first.
      this.open.delete(res);
      cancelExpiry?.();
      streams.give(caller.ownerId);
      metrics.subscriptions.dec(SSE);
    });
    stream.group = this.shared.join(groupKey(caller, params), result, stream);
    res.once('close', () => stream.leave());
    // The stream lives no longer than the token it was opened with (plugins/use-token-expiry.ts).
    if (caller.expiresAt !== undefined) cancelExpiry = atExpiry(caller.expiresAt, () => stream.expire());
  }

  private startFailure(error: unknown): GraphQLError {
    // A syntax error or a refused context is the operation's answer.
    if (error instanceof GraphQLError) return error;
    if (error instanceof StoreUnavailableError) return gatewayError('STORE_UNAVAILABLE');
    this.options.logger.error('SSE subscription could not start', { error });
    return new GraphQLError('Unexpected error.', {
      extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } },
    });
  }
}

/** One subscriber's response, as its group writes to it. */
class EventStream implements GroupMember {
  group: Membership | undefined;
  private released = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly logger: Logger,
    private readonly release: () => void,
  ) {}

  deliver(payload: string): void {
    if (this.writable()) this.res.write(nextEvent(payload));
  }

  finish(): void {
    if (this.writable()) this.res.end(COMPLETE);
    this.releaseOnce();
  }

  fail(error: unknown): void {
    this.logger.error('an SSE subscription stream failed', { error });
    this.res.destroy();
    this.releaseOnce();
  }

  /** The client closed the connection. */
  leave(): void {
    this.group?.leave(this);
    this.releaseOnce();
  }

  /** The caller's token expired: its last event says so, and the stream ends. */
  expire(): void {
    this.group?.leave(this);
    this.deliver(streamPayload({ errors: [refusalError(TOKEN_EXPIRED)] }));
    this.finish();
  }

  private writable(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  private releaseOnce(): void {
    if (this.released) return;
    this.released = true;
    this.release();
  }
}

/**
 * Whether the operation selects only shareable subscription fields (else it is Yoga's).
 * Parsed here with the operation limits' token bound; a document that does not parse is Yoga's
 * to refuse.
 */
function isShareableOperation(params: OperationParams): boolean {
  let document: DocumentNode;
  try {
    document = parse(params.query, { maxTokens: OPERATION_LIMITS.tokens });
  } catch {
    return false;
  }
  return isShareableSubscription(schema, document, params.operationName);
}

/** The GraphQL-over-HTTP parameters, when they are well formed; undefined lets Yoga say what is wrong. */
function paramsOf(value: unknown): OperationParams | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { query, operationName, variables } = value as Record<string, unknown>;
  if (typeof query !== 'string') return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  return {
    query,
    ...(operationName != null ? { operationName } : {}),
    ...(variables != null ? { variables: variables as Record<string, unknown> } : {}),
  };
}

function jsonOrNothing(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return Symbol('not JSON');
  }
}

/**
 * A result that is not a stream (a refusal, a failed start), answered as Yoga answers one
 * over SSE: its errors' HTTP status (the highest; 500 for an unexpected error without data)
 * and headers, one `next` event, and `complete`.
 */
function answerOnce(res: ServerResponse, result: ExecutionResult): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...EVENT_STREAM_HEADERS };
  let status: number | undefined;
  let unexpected = false;
  for (const error of result.errors ?? []) {
    const http = error.extensions?.http as
      { status?: number; headers?: Record<string, string>; spec?: boolean } | undefined;
    if (http !== undefined) {
      Object.assign(headers, http.headers);
      if (!http.spec && http.status !== undefined && (status === undefined || http.status > status))
        status = http.status;
    } else if (error.extensions?.unexpected) unexpected = true;
  }
  status ??= unexpected && !('data' in result) ? 500 : 200;
  res.writeHead(status, headers).end(OPENING + nextEvent(streamPayload(result)) + COMPLETE);
}
