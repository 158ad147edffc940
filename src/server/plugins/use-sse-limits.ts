/**
 * SSE subscriptions: at most `maxStreamsPerClient` open streams per client (per
 * instance); one more is refused with TOO_MANY_SUBSCRIPTIONS before anything is
 * subscribed. Every event stream is answered with `X-Accel-Buffering: no`, so
 * that nginx-like proxies pass events on at once. (Keep-alive comments are
 * Yoga's own: `:` every 12 seconds.)
 *
 * A client that leaves before its stream is sent gives everything back at once.
 * The node adapter (@whatwg-node/server) sends nothing to a response that is
 * already closed, and so never reads or cancels its body: the subscription
 * behind it (its slot, its bus listener, on Redis its channel, a chat's MAVI
 * stream) would stay open until the gateway stopped. Here the connection's close
 * cancels a body no one is reading,
 * which returns the subscription's iterator; a body being sent is waiting on the
 * subscription's next event, so the same close returns the subscription itself.
 */
import type { ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../../errors.js';
import type { Viewer } from '../../identity.js';
import { OpenPerOwner } from '../../limits/open-per-owner.js';
import { releaseAtEndOrClose, whenClosed } from './connection-closed.js';

/**
 * Open SSE streams per client (per instance), counted alike whether Yoga serves
 * them or the gateway does (server/event-streams.ts).
 */
export class SseStreamsPerClient extends OpenPerOwner {
  /** The refusal when the client holds its share, else undefined. Counts nothing. */
  refusal(ownerId: string): ExecutionResult | undefined {
    if (!this.full(ownerId)) return undefined;
    return {
      errors: [
        gatewayError(
          'TOO_MANY_SUBSCRIPTIONS',
          `Too many open SSE subscriptions for this client (at most ${this.max}): close one first.`,
        ),
      ],
    };
  }
}

export function useSseLimits(
  streams: SseStreamsPerClient,
): Plugin<{ viewer?: Viewer; streamedBy?: unknown; res?: ServerResponse }, { res?: ServerResponse }> {
  return {
    onSubscribe({ args, setSubscribeFn }) {
      const { viewer, streamedBy } = args.contextValue;
      const ownerId = viewer?.ownerId;
      // A transport that serves its streams itself keeps its own limits.
      if (streamedBy !== undefined || ownerId === undefined) return undefined;
      const refusal = streams.refusal(ownerId);
      if (refusal !== undefined) {
        setSubscribeFn(() => refusal);
        return undefined;
      }
      return {
        onSubscribeResult({ result }) {
          if (!(Symbol.asyncIterator in (result as object))) return undefined;
          streams.add(ownerId);
          const stream = result as AsyncIterableIterator<unknown>;
          return {
            // The slot is given back, and the stream closed (a no-op for one that ended), at the
            // stream's end or its connection's close, whichever is first.
            onEnd: releaseAtEndOrClose(args.contextValue.res, () => {
              streams.give(ownerId);
              void stream.return?.();
            }),
          };
        },
      };
    },
    onResponse({ response, serverContext }) {
      if (!response.headers.get('content-type')?.includes('text/event-stream')) return;
      response.headers.set('x-accel-buffering', 'no');
      const body = response.body;
      if (!body) return;
      whenClosed(serverContext.res, () => {
        if (!body.locked) body.cancel().catch(() => undefined);
      });
    },
  };
}
