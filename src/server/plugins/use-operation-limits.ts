/**
 * Bounds on what one operation may ask for, so that a single request cannot
 * make the gateway parse, validate or execute without end. The schema is small
 * and shallow: every real operation is far inside these limits.
 */
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { Plugin } from 'graphql-yoga';

export const OPERATION_LIMITS = {
  /** Nesting depth; introspection counts too (deep `ofType` chains are a known attack), and GraphiQL's own query needs 13. */
  depth: 15,
  aliases: 15,
  directives: 20,
  /** Lexical tokens, checked while parsing, so a huge document is refused before it is built. */
  tokens: 2_000,
  cost: 5_000,
} as const;

export function useOperationLimits(): Plugin[] {
  return [
    maxTokensPlugin({ n: OPERATION_LIMITS.tokens }),
    maxDepthPlugin({ n: OPERATION_LIMITS.depth, ignoreIntrospection: false, flattenFragments: true }),
    maxAliasesPlugin({ n: OPERATION_LIMITS.aliases, allowList: [] }), // __typename aliases count too
    maxDirectivesPlugin({ n: OPERATION_LIMITS.directives }),
    costLimitPlugin({ maxCost: OPERATION_LIMITS.cost, ignoreIntrospection: true }),
  ] as Plugin[];
}
