/** How an operation is named in metrics and traces: by what it asks for, not by what its client called it. */
import { Kind, type DocumentNode } from 'graphql';

/** The operation's root fields, sorted: bounded by the schema. */
export function rootFieldsOf(document: DocumentNode | undefined): string {
  const fields = new Set<string>();
  for (const definition of document?.definitions ?? []) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind === Kind.FIELD) fields.add(selection.name.value);
    }
  }
  return [...fields].sort().slice(0, 4).join(',') || 'none';
}
