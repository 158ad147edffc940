/**
 * Refusals of a malformed multipart request, as gateway error codes. They are
 * raised while the envelope is parsed (server/multipart-request.ts) and, when
 * the request breaks later, inside the file stream the upload is reading.
 */
import type { ErrorCode } from '../errors.js';

export class MultipartRequestError extends Error {
  override name = 'MultipartRequestError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * graphql-upload-minimal's errors (also thrown into the file stream when the
 * request breaks later) as gateway codes: its messages already name the problem.
 */
export function asMultipartRequestError(error: unknown): MultipartRequestError {
  if (error instanceof MultipartRequestError) return error;
  const message = error instanceof Error ? error.message : 'Invalid multipart request.';
  if (/max file uploads exceeded/.test(message)) {
    return new MultipartRequestError('ONE_FILE_ONLY', 'Only one file per request is accepted.');
  }
  return new MultipartRequestError('INVALID_MULTIPART', message);
}

/** graphql-upload-minimal's errors carry an HTTP status; nothing else on the file stream does. */
export function isMultipartParserError(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name !== 'GraphQLError' &&
    typeof (error as { status?: unknown }).status === 'number'
  );
}
