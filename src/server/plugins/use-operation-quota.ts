/**
 * OPERATIONS_PER_MINUTE: every GraphQL operation of a client takes a turn of its
 * budget before it runs. Over it, the operation's result is RATE_LIMITED (with
 * Retry-After over HTTP); with the budget's store away, STORE_UNAVAILABLE. Either
 * way it is an ordinary result: a websocket subscription gets it as an event and
 * completes, like any other refusal.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { gatewayError, StoreUnavailableError } from '../../errors.js';
import type { Viewer } from '../../identity.js';
import type { CostControl } from '../../limits/cost-control.js';

export function useOperationQuota(cost: Pick<CostControl, 'spend'>): Plugin<{ viewer?: Viewer }> {
  const refusal = async (ownerId: string | undefined): Promise<GraphQLError | undefined> => {
    if (ownerId === undefined) return undefined;
    try {
      await cost.spend('operation', ownerId);
      return undefined;
    } catch (error) {
      if (error instanceof GraphQLError) return error;
      if (error instanceof StoreUnavailableError) return gatewayError('STORE_UNAVAILABLE');
      throw error;
    }
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const error = await refusal(args.contextValue.viewer?.ownerId);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const error = await refusal(args.contextValue.viewer?.ownerId);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
