/**
 * Real clients for the gateway's three transports: GraphQL over HTTP (JSON),
 * graphql-ws over a websocket, and Yoga's SSE. Subscriptions are collected into
 * a `Collected` that tests can wait on.
 */
import { print, type ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export async function postGraphQL<TData, TVariables>(
  graphqlUrl: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: ExecutionResult<TData> }> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return { status: response.status, body: (await response.json()) as ExecutionResult<TData> };
}

/** Events of one subscription as they arrive. */
export class Collected<TData> {
  readonly events: ExecutionResult<TData>[] = [];
  /** Set when the subscription failed (an error message, or the transport's error). */
  error: unknown;
  completed = false;
  private waiters: (() => void)[] = [];
  private finish!: () => void;
  /** Resolves when the subscription ends: completion or error. */
  readonly done = new Promise<void>((resolve) => {
    this.finish = resolve;
  });

  push(event: ExecutionResult<TData>): void {
    this.events.push(event);
    this.wake();
  }

  end(error?: unknown): void {
    if (error !== undefined) this.error = error;
    else this.completed = true;
    this.finish();
    this.wake();
  }

  /** Waits until at least `count` events arrived (or the subscription ended). */
  async waitForEvents(count: number, timeoutMs = 30_000): Promise<ExecutionResult<TData>[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count && !this.completed && this.error === undefined) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} events; got ${this.events.length}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.events;
  }

  /** Waits for the end; fails the test if it does not come. */
  async ended(timeoutMs = 30_000): Promise<this> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.done,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('subscription did not end')), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    return this;
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

export function wsClient(wsUrl: string, connectionParams?: Record<string, unknown>, headers?: Record<string, string>) {
  return createClient({
    url: wsUrl,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    },
  });
}

/** Subscribes over graphql-ws; the returned object fills as events arrive. */
export function subscribeWs<TData, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): { collected: Collected<TData>; unsubscribe: () => void } {
  const collected = new Collected<TData>();
  const unsubscribe = client.subscribe<TData>(
    { query: print(document), variables },
    {
      next: (event) => collected.push(event as ExecutionResult<TData>),
      error: (error) => collected.end(error ?? new Error('unknown error')),
      complete: () => collected.end(),
    },
  );
  return { collected, unsubscribe };
}

/** Subscribes over SSE (Yoga's default for HTTP subscriptions), parsing the event stream by hand. */
export function subscribeSse<TData, TVariables>(
  graphqlUrl: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  headers: Record<string, string> = {},
): { collected: Collected<TData>; close: () => void; status: Promise<number> } {
  const collected = new Collected<TData>();
  const controller = new AbortController();
  const status = (async () => {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({ query: print(document), variables }),
      signal: controller.signal,
    });
    void readEventStream(response, collected);
    return response.status;
  })();
  status.catch((error: unknown) => collected.end(error));
  return { collected, close: () => controller.abort(), status };
}

async function readEventStream<TData>(response: Response, collected: Collected<TData>): Promise<void> {
  if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) {
    collected.push((await response.json()) as ExecutionResult<TData>);
    collected.end(new Error(`not an event stream (HTTP ${response.status})`));
    return;
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf('\n\n');
        const lines = block.split('\n');
        const event = lines
          .find((line) => line.startsWith('event:'))
          ?.slice(6)
          .trim();
        const data = lines
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (event === 'next') collected.push(JSON.parse(data) as ExecutionResult<TData>);
        if (event === 'complete') {
          collected.end();
          return;
        }
      }
    }
    collected.end(new Error('event stream ended without "complete"'));
  } catch (error) {
    collected.end(error);
  }
}
