/**
 * The upload's request stage, on the raw Node request, before Yoga sees it:
 * admission (upload-admission.ts), then the envelope read by the multipart
 * intake. Yoga's own multipart support would buffer whole files; here the
 * request reaches Yoga as if it were a JSON request whose variables hold the
 * file's Upload, and the resolver streams the file while the client is still
 * sending (see docs/architecture.md).
 *
 * Why not Yoga's request-parser hook (`onRequestParse` / `setRequestParser`):
 * Yoga's body-size limit (`maxRequestBodySize`, which guards every JSON request)
 * runs after every plugin's hook and refuses any request whose Content-Length
 * is over it, which is every upload; the hook needs that limit turned off, and
 * measured that way it was slower and cost more CPU per GiB than this stage
 * (bench/ANALYSIS.md, "Yoga's request-parser hook"). So this stage stays.
 */
import type { Caller } from '../identity.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRefusal, refusal, type Refusal } from '../errors.js';
import type { UploadSlot } from '../graphql/context.js';
import { MultipartRequestError } from '../upload/multipart-errors.js';
import { readMultipartUpload } from '../upload/multipart-intake.js';
import { sendRefusal } from './answers.js';
import type { RequestBody } from './request-body.js';
import type { UploadAdmission } from './upload-admission.js';

/** The `operations` and `map` fields are JSON of a few KiB; a megabyte is already generous. */
const MAX_FIELD_BYTES = 1_000_000;

export function isUploadRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

export interface UploadRequestOptions {
  admission: UploadAdmission;
  /** Locate the file in the body, so that its size follows from Content-Length (MAVI_UPLOAD_CONTENT_LENGTH). */
  measureFileStart: boolean;
}

/**
 * Admits the request and reads its envelope into `req.body`. Answers the slot
 * the upload holds, or undefined (after answering) when the request is refused.
 * The file's size is not limited by the parser: busboy would silently truncate
 * it, and a truncated video must never reach MAVI, so the upload counts bytes
 * itself and fails loudly (upload/file-source.ts).
 */
export async function prepareUploadRequest(
  req: IncomingMessage,
  res: ServerResponse,
  body: RequestBody,
  caller: Caller | Refusal,
  options: UploadRequestOptions,
): Promise<UploadSlot | undefined> {
  // Any refusal leaves most of the body unread: see request-body.ts.
  const refuse = (refused: Refusal) => {
    body.refuse((headers) => sendRefusal(res, refused, 'graphql', headers));
    return undefined;
  };

  const admitted = await options.admission.admit(req, res, caller);
  if (isRefusal(admitted)) return refuse(admitted);

  try {
    const operations = await readMultipartUpload(body.take(), {
      maxFieldBytes: MAX_FIELD_BYTES,
      measureFileStart: options.measureFileStart,
    });
    Object.assign(req, { body: operations });
  } catch (error) {
    if (!(error instanceof MultipartRequestError)) throw error;
    if (error.clientGone) return undefined;
    return refuse(refusal(error.code, error.message));
  }

  // Yoga now sees a parsed JSON body. Its body-size limit reads Content-Length, which
  // here is the size of the file: the upload limit is enforced while streaming instead.
  delete req.headers['content-length'];
  req.headers['content-type'] = 'application/json';
  return admitted;
}
