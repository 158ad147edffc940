/** How an operation is named in metrics and traces: by what it asks for, not by what its client called it. */
import { Kind, type DocumentNode, type GraphQLSchema } from 'graphql';

/** Labels of an operation that names a field the schema does not have (it fails validation). */
const INVALID_ROOT_FIELDS = 'invalid';

/**
 * The root fields a schema has (and the meta fields any operation may ask for): the only
 * names a label may carry. Labels are read before validation, and a client chooses the
 * names in its document: a name outside this set would be a new series for each request.
 */
export function knownRootFields(schema: GraphQLSchema): ReadonlySet<string> {
  let names = knownBySchema.get(schema);
  if (!names) {
    names = new Set(['__typename', '__schema', '__type']);
    for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      for (const name of Object.keys(type?.getFields() ?? {})) names.add(name);
    }
    knownBySchema.set(schema, names);
  }
  return names;
}

const knownBySchema = new WeakMap<GraphQLSchema, Set<string>>();

/** The operation's root fields, sorted; INVALID_ROOT_FIELDS when one is not among `known`. */
export function rootFieldsOf(document: DocumentNode | undefined, known: ReadonlySet<string>): string {
  const fields = new Set<string>();
  for (const definition of document?.definitions ?? []) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      if (!known.has(selection.name.value)) return INVALID_ROOT_FIELDS;
      fields.add(selection.name.value);
    }
  }
  return [...fields].sort().slice(0, 4).join(',') || 'none';
}
