/**
 * GraphQL multipart requests (uploads) are admitted and their envelope read here,
 * on the raw Node request, before Yoga sees them: Yoga's own multipart support
 * would buffer whole files. Yoga then gets the parsed operation as if it were a
 * JSON request, with the file's Upload in its variables, and the resolver streams
 * the file while the client is still sending (see shared/design.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode } from '../errors.js';
import { MultipartRequestError } from '../upload/multipart-errors.js';
import { readMultipartUpload } from '../upload/multipart-intake.js';
import type { UploadAdmission } from '../upload/upload-admission.js';
import { sendGraphQLError } from './http-responses.js';

export function isMultipartRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

/** The `operations` and `map` fields are JSON of a few KiB; a megabyte is already generous. */
const MAX_FIELD_BYTES = 1_000_000;

/**
 * Admits the request and reads its envelope into `req.body`. Returns false (after
 * answering) when the request is refused. The file's size is not limited by the
 * parser: busboy would silently truncate it, and a truncated video must never
 * reach MAVI, so the upload counts bytes itself and fails loudly
 * (upload/file-source.ts).
 */
export async function prepareMultipartRequest(
  req: IncomingMessage,
  res: ServerResponse,
  admission: UploadAdmission,
  options: { measureFileStart: boolean },
): Promise<boolean> {
  // Any refusal leaves most of the body unread: close the connection rather than drain it.
  const refuse = (code: ErrorCode, message: string, headers: Record<string, string> = {}) => {
    sendGraphQLError(res, code, message, { ...headers, connection: 'close' });
    return false;
  };

  const admitted = admission.admit(req, res);
  if ('code' in admitted) return refuse(admitted.code, admitted.message, admitted.headers);

  try {
    const operations = await readMultipartUpload(req, {
      maxFieldBytes: MAX_FIELD_BYTES,
      measureFileStart: options.measureFileStart,
    });
    Object.assign(req, { body: operations });
  } catch (error) {
    if (!(error instanceof MultipartRequestError)) throw error;
    if (error.clientGone) return false;
    return refuse(error.code, error.message);
  }

  // Yoga now sees a parsed JSON body. Its body-size limit reads Content-Length, which
  // here is the size of the file: the upload limit is enforced while streaming instead.
  delete req.headers['content-length'];
  req.headers['content-type'] = 'application/json';
  return true;
}
