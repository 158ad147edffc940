/**
 * SSE subscriptions: at most `maxStreamsPerClient` open streams per client (per
 * instance); one more is refused with TOO_MANY_SUBSCRIPTIONS before anything is
 * subscribed. Every event stream is answered with `X-Accel-Buffering: no`, so
 * that nginx-like proxies pass events on at once. (Keep-alive comments are
 * Yoga's own: `:` every 12 seconds.)
 */
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../../errors.js';

export function useSseLimits(maxStreamsPerClient: number): Plugin<{ ownerId?: string; socket?: unknown }> {
  const open = new Map<string, number>();
  return {
    onSubscribe({ args, setSubscribeFn }) {
      const { ownerId, socket } = args.contextValue;
      if (socket !== undefined || ownerId === undefined) return undefined; // websockets have limits of their own
      if ((open.get(ownerId) ?? 0) >= maxStreamsPerClient) {
        const refusal: ExecutionResult = {
          errors: [
            gatewayError(
              'TOO_MANY_SUBSCRIPTIONS',
              `Too many open SSE subscriptions for this client (at most ${maxStreamsPerClient}): close one first.`,
            ),
          ],
        };
        setSubscribeFn(() => refusal);
        return undefined;
      }
      return {
        onSubscribeResult({ result }) {
          if (!(Symbol.asyncIterator in (result as object))) return undefined;
          open.set(ownerId, (open.get(ownerId) ?? 0) + 1);
          return {
            onEnd: () => {
              const left = (open.get(ownerId) ?? 1) - 1;
              if (left > 0) open.set(ownerId, left);
              else open.delete(ownerId);
            },
          };
        },
      };
    },
    onResponse({ response }) {
      if (response.headers.get('content-type')?.includes('text/event-stream')) {
        response.headers.set('x-accel-buffering', 'no');
      }
    },
  };
}
