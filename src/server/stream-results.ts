/**
 * A result as a subscription's stream carries it (a graphql-ws `next` payload, an
 * SSE `next` event): without the errors' `extensions.http` (a status and headers,
 * which belong to an HTTP answer) and `extensions.unexpected` (Yoga's mark on a
 * masked error), as Yoga leaves them out of its own HTTP answers.
 */
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';

/** The result with its errors stripped of what only the server reads (errors last, as graphql-ws writes them). */
export function forStream(result: ExecutionResult): Record<string, unknown> {
  const { errors, ...rest } = result;
  return errors ? { ...rest, errors: errors.map(withoutInternals) } : rest;
}

/** One event's payload, as JSON: the same bytes for every subscriber of a shared stream. */
export const streamPayload = (result: ExecutionResult): string => JSON.stringify(forStream(result));

export const carriesInternals = (error: GraphQLFormattedError | GraphQLError): boolean =>
  error.extensions !== undefined && ('http' in error.extensions || 'unexpected' in error.extensions);

export function withoutInternals(error: GraphQLFormattedError | GraphQLError): GraphQLFormattedError {
  const formatted = error instanceof GraphQLError ? error.toJSON() : error;
  if (!carriesInternals(formatted)) return formatted;
  const { http: _http, unexpected: _unexpected, ...extensions } = formatted.extensions!;
  return { ...formatted, extensions };
}

export const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> =>
  typeof (value as Partial<AsyncIterable<unknown>> | null)?.[Symbol.asyncIterator] === 'function';
