/**
 * An SSE subscription lives no longer than the token it was opened with: at the
 * token's expiry its last event is UNAUTHENTICATED ("the token expired") and the
 * stream ends, which returns the subscription (its bus listener, a chat's call
 * to MAVI). The client subscribes again with a fresh token. Websockets end the
 * same way by their own means: the socket is closed with 4403 at the expiry of
 * the token it was opened with (server/websocket.ts). SSE streams the gateway
 * serves itself end as here (server/event-streams.ts).
 */
import type { Caller } from '../../identity.js';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isRefusal, refusal, refusalError, type Refusal } from '../../errors.js';

/** setTimeout's longest delay; a token valid for longer than 24 days is checked again then. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Runs `expire` at `expiresAt` (epoch ms), at once when it has passed; answers the function that cancels it. */
export function atExpiry(expiresAt: number, expire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) return expire();
    timer = setTimeout(check, Math.min(left, MAX_DELAY_MS));
  };
  check();
  return () => clearTimeout(timer);
}

export const TOKEN_EXPIRED = refusal('UNAUTHENTICATED', 'The token expired: subscribe again with a fresh one.');

export function useTokenExpiry(): Plugin<{ caller?: Caller | Refusal; streamedBy?: unknown }> {
  return {
    onSubscribe({ args }) {
      const { caller, streamedBy } = args.contextValue;
      if (streamedBy !== undefined || caller === undefined || isRefusal(caller) || caller.expiresAt === undefined) {
        return undefined;
      }
      const expiresAt = caller.expiresAt;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!(Symbol.asyncIterator in (result as object))) return;
          setResult(untilExpiry(result as AsyncIterable<ExecutionResult>, expiresAt));
        },
      };
    },
  };
}

/** The stream's events until `expiresAt`; then TOKEN_EXPIRED, and the end (the stream itself is returned). */
function untilExpiry(
  source: AsyncIterable<ExecutionResult>,
  expiresAt: number,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let over = false;
  let cancelExpiry = () => {};
  const expired = new Promise<'expired'>((resolve) => {
    cancelExpiry = atExpiry(expiresAt, () => resolve('expired'));
  });
  const end = async () => {
    over = true;
    cancelExpiry();
    await iterator.return?.();
  };
  return {
    async next() {
      if (over) return { done: true, value: undefined };
      const outcome = await Promise.race([iterator.next(), expired]);
      if (outcome === 'expired') {
        await end();
        return { done: false, value: { errors: [refusalError(TOKEN_EXPIRED)] } };
      }
      if (outcome.done) {
        over = true;
        cancelExpiry();
      }
      return outcome;
    },
    async return() {
      await end();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
