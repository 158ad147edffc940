/**
 * How the web app talks to the gateway, the way the README tells any app to:
 * queries and mutations as JSON POSTs, uploads resumably with tus
 * (resumable-upload.ts), and subscriptions over graphql-ws with the credential in connectionParams. The
 * credential is a client key, or the signed-in user's token (sign-in.ts), read
 * afresh for every request and every (re)connection, since a token is refreshed.
 */
import { createClient, type Client } from 'graphql-ws';

const GRAPHQL_PATH = '/graphql';

/** A refusal or failure, with the gateway's error code (or NETWORK_ERROR when the gateway was not reached). */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[];
}

export interface Subscription<T> {
  next(data: T): void;
  error(error: GatewayError): void;
  complete?(): void;
}

function resultOf<T>(body: GraphQLResponse<T>, status: number): T {
  const [error] = body.errors ?? [];
  if (error) {
    throw new GatewayError(
      error.message,
      error.extensions?.code ?? `HTTP_${status}`,
      error.extensions?.retryAfterSeconds,
    );
  }
  if (body.data == null) throw new GatewayError(`The gateway answered ${status} without data.`, `HTTP_${status}`);
  return body.data;
}

function parse<T>(text: string, status: number): GraphQLResponse<T> {
  try {
    return JSON.parse(text) as GraphQLResponse<T>;
  } catch {
    throw new GatewayError(`The gateway answered ${status} with something that is not JSON.`, `HTTP_${status}`);
  }
}

export class GatewayClient {
  private readonly socket: Client;

  /** The credential may be empty: an open gateway (no GATEWAY_API_KEYS) takes everyone. */
  constructor(private readonly credential: () => string) {
    const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${GRAPHQL_PATH}`;
    this.socket = createClient({
      url: wsUrl,
      lazy: true,
      // A function: a socket closed at its token's expiry (4403) connects again with the current one.
      connectionParams: () => this.headers(),
      retryAttempts: 3,
    });
  }

  /** The credential as request headers (none on an open gateway), read afresh each time. */
  headers(): Record<string, string> {
    const credential = this.credential();
    return credential ? { authorization: `Bearer ${credential}` } : {};
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return this.post<T>({
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...this.headers() },
      body: JSON.stringify({ query, variables }),
    });
  }

  /**
   * An operation whose `$file` variable is a file (a picture), sent per the GraphQL multipart
   * request spec; the preflight header tells the gateway no plain HTML form sent it.
   */
  async requestWithFile<T>(query: string, variables: Record<string, unknown>, file: File): Promise<T> {
    const body = new FormData();
    body.append('operations', JSON.stringify({ query, variables: { ...variables, file: null } }));
    body.append('map', JSON.stringify({ 0: ['variables.file'] }));
    body.append('0', file, file.name);
    return this.post<T>({ headers: { 'apollo-require-preflight': 'true', ...this.headers() }, body });
  }

  /** A POST to the gateway's GraphQL endpoint, and its answer's data (or its first error, thrown). */
  private async post<T>(init: { headers: Record<string, string>; body: string | FormData }): Promise<T> {
    let response: Response;
    try {
      response = await fetch(GRAPHQL_PATH, { method: 'POST', ...init });
    } catch {
      throw new GatewayError('The gateway could not be reached.', 'NETWORK_ERROR');
    }
    return resultOf(parse<T>(await response.text(), response.status), response.status);
  }

  subscribe<T>(query: string, variables: Record<string, unknown>, sink: Subscription<T>): () => void {
    return this.socket.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          try {
            sink.next(resultOf(result as GraphQLResponse<T>, 200));
          } catch (error) {
            sink.error(error as GatewayError);
          }
        },
        error: (error) => sink.error(socketError(error)),
        complete: () => sink.complete?.(),
      },
    );
  }

  close(): void {
    void this.socket.dispose();
  }
}

/** graphql-ws reports a closed socket as its CloseEvent, GraphQL errors as an array. */
function socketError(error: unknown): GatewayError {
  if (Array.isArray(error)) {
    const [first] = error as { message: string; extensions?: { code?: string } }[];
    return new GatewayError(first?.message ?? 'The subscription failed.', first?.extensions?.code ?? 'GRAPHQL_ERROR');
  }
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    const { code, reason } = error as CloseEvent;
    if (code === 4403)
      return new GatewayError('The websocket was refused: the client key is not valid.', 'UNAUTHENTICATED');
    return new GatewayError(`The websocket closed (${code}${reason ? `: ${reason}` : ''}).`, `WS_${code}`);
  }
  return new GatewayError('The websocket could not reach the gateway.', 'NETWORK_ERROR');
}
