/**
 * A malformed or refused multipart request, as a gateway error code and a message
 * that names the problem. Raised while the envelope is read
 * (upload/multipart-intake.ts) and, when the request breaks later, inside the
 * file stream the upload is reading.
 */
import type { ErrorCode } from '../errors.js';

export class MultipartRequestError extends Error {
  override name = 'MultipartRequestError';
  /** The client went away mid-request: nobody reads the answer, and it is no server fault. */
  readonly clientGone: boolean;

  constructor(
    readonly code: Extract<ErrorCode, 'INVALID_MULTIPART' | 'ONE_FILE_ONLY'>,
    message: string,
    options: { clientGone?: boolean } = {},
  ) {
    super(message);
    this.clientGone = options.clientGone ?? false;
  }
}
