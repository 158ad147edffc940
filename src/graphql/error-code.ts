/**
 * The error codes, published in the schema: every `extensions.code` the gateway
 * gives, from the one registry (errors.ts), so clients can introspect them and
 * codegen can type them. GraphQL's own request errors (GRAPHQL_PARSE_FAILED,
 * GRAPHQL_VALIDATION_FAILED) are Yoga's and are not listed.
 */
import { errorRegistry, type ErrorCode as Code } from '../errors.js';
import { builder } from './builder.js';

function describeCode(code: Code): string {
  const spec = errorRegistry[code];
  const retry = spec.retryable ? 'Retryable' : 'Not retryable: the same request fails the same way';
  return `${spec.message} ${retry}.`;
}

export const ErrorCode = builder.enumType('ErrorCode', {
  description:
    "Why a request, or a part of it, was refused: the `extensions.code` of a GraphQL error, the `code` of a plain route's answer, and `ResumableUpload.errorCode`. `extensions.retryable` says whether the same request may succeed later; `extensions.retryAfterSeconds`, when to try.",
  values: Object.fromEntries(
    (Object.keys(errorRegistry) as Code[]).map((code) => [code, { description: describeCode(code) }]),
  ) as Record<Code, { description: string }>,
});
