/**
 * Whether an operation asks only about the schema (`__schema`, `__type`,
 * `__typename` at its root). Such an operation reads no one's data, so with
 * introspection on it needs no client key: GraphiQL loads the schema before
 * anyone has typed a key into its Headers tab.
 */
import { getOperationAST, Kind, parse, type DocumentNode, type SelectionSetNode } from 'graphql';

export function isIntrospectionOnly(query: string | undefined, operationName: string | undefined): boolean {
  if (query === undefined) return false;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return false;
  }
  // The operation that runs (graphql-js's own choice: none when the name is missing and there are several).
  const operation = getOperationAST(document, operationName);
  if (!operation) return false;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const onlyMetaFields = (selectionSet: SelectionSetNode, seen: Set<string>): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
      if (selection.kind === Kind.INLINE_FRAGMENT) return onlyMetaFields(selection.selectionSet, seen);
      const fragment = fragments.get(selection.name.value);
      if (fragment === undefined || seen.has(fragment.name.value)) return false;
      return onlyMetaFields(fragment.selectionSet, new Set([...seen, fragment.name.value]));
    });
  return onlyMetaFields(operation.selectionSet, new Set());
}
