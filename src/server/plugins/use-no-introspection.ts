/**
 * INTROSPECTION=off hides the schema: introspection is refused, and no error names
 * what the schema has. graphql-js suggests near names in validation errors
 * (`Did you mean "video" or "videos"?`) and when coercing variables (`Did you mean
 * the enum value "PARSE"?`): those hints are cut from every result, over HTTP and
 * websockets alike (both run envelop's validate, execute and subscribe).
 */
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { useValidationRule } from './use-validation-rule.js';

export function useNoIntrospection(): Plugin[] {
  return [useValidationRule(NoSchemaIntrospectionCustomRule), useNoSuggestions()];
}

function useNoSuggestions(): Plugin {
  const withoutHints = (result: ExecutionResult): ExecutionResult =>
    result.errors ? { ...result, errors: result.errors.map(withoutSuggestion) } : result;
  return {
    onValidate:
      () =>
      ({ result, setResult }) => {
        if (result.length > 0) setResult(result.map(withoutSuggestion));
      },
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!(Symbol.asyncIterator in result)) setResult(withoutHints(result));
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!(Symbol.asyncIterator in result)) setResult(withoutHints(result));
      },
    }),
  };
}

const SUGGESTION = /\s*Did you mean [^?]*\?$/;

function withoutSuggestion<E extends Error>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError) || !SUGGESTION.test(error.message)) return error;
  return new GraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}
