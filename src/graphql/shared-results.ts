/**
 * Which subscriptions may be shared: a subscription field marked with
 * SAME_RESULT_FOR_SAME_CALLER promises that two subscriptions of one caller,
 * with the same operation and variables, receive the same events in the same
 * order (its resolvers read nothing per request but the caller's identity, and
 * starting it has no effect of its own at MAVI). The websocket and SSE servers
 * then execute and serialise each event once for all of them
 * (server/shared-subscriptions.ts). Such a field calls nothing that a leaving
 * client should cancel: its operations are given no abort signal (the context
 * of a subscription lives as long as it does).
 *
 * `chat` and `transcriptReady` are not marked: each starts work of its own.
 */
import { Kind, getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql';

const SAME_RESULT_FOR_SAME_CALLER = 'sameResultForSameCaller';

/** The field extension that marks a subscription field as shareable (Pothos `extensions`). */
export const shareableField = { [SAME_RESULT_FOR_SAME_CALLER]: true } as const;

const verdicts = new WeakMap<DocumentNode, Map<string, boolean>>();

/**
 * Whether every root field the operation selects is marked shareable. Only plain
 * field selections count: a fragment at the root, a directive (`@skip`, `@include`)
 * or an unknown field makes the operation unshared, which is always correct.
 */
export function isShareableSubscription(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
): boolean {
  let byName = verdicts.get(document);
  if (byName === undefined) verdicts.set(document, (byName = new Map()));
  const name = operationName ?? '';
  let verdict = byName.get(name);
  if (verdict === undefined) byName.set(name, (verdict = decide(schema, document, operationName)));
  return verdict;
}

function decide(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName);
  const fields = schema.getSubscriptionType()?.getFields();
  if (operation?.operation !== 'subscription' || fields === undefined) return false;
  return operation.selectionSet.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD &&
      (selection.directives ?? []).length === 0 &&
      fields[selection.name.value]?.extensions[SAME_RESULT_FOR_SAME_CALLER] === true,
  );
}
