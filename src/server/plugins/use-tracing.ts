/**
 * A span per GraphQL operation, `graphql <type> <root fields>`, active while it
 * executes: the resolvers' MAVI requests and store writes become its children.
 * A subscription's span covers its start (checks, the first read), not its
 * lifetime. (@envelop/opentelemetry would do this too, but it depends on the 1.x
 * line of @opentelemetry/sdk-trace-base, a second SDK beside the 2.x one that
 * the 0.22x packages use; these lines on the API need neither.)
 */
import { Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { startSpan, withContext } from '../../tracing/tracer.js';
import { knownRootFields, rootFieldsOf } from './root-fields.js';

function operationSpan(document: DocumentNode, known: ReadonlySet<string>) {
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const type = operation?.kind === Kind.OPERATION_DEFINITION ? operation.operation : 'unknown';
  return startSpan(`graphql ${type} ${rootFieldsOf(document, known)}`, { 'graphql.operation.type': type });
}

export function useTracing(): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const { span, context } = operationSpan(args.document, knownRootFields(args.schema));
      setExecuteFn((executionArgs) => withContext(context, () => executeFn(executionArgs)));
      return { onExecuteDone: () => span.end() };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const { span, context } = operationSpan(args.document, knownRootFields(args.schema));
      setSubscribeFn((subscribeArgs) => withContext(context, () => subscribeFn(subscribeArgs)));
      return { onSubscribeResult: () => span.end() };
    },
  };
}
