/**
 * GraphQL multipart requests (uploads) are handled here, on the raw Node request,
 * before Yoga sees them. Yoga's own multipart support would buffer the whole
 * file; graphql-upload-minimal resolves as soon as `operations` and `map` are
 * parsed, and the resolver streams the file while the client is still sending.
 * Yoga then gets the parsed operation as if it were a JSON request (see
 * shared/design.md, "Facts measured here").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRequest } from 'graphql-upload-minimal';
import type { ErrorCode } from '../errors.js';
import { asMultipartRequestError, MultipartRequestError } from '../upload/multipart-errors.js';
import { boundaryOf, ExtraPartError, watchSingleFile } from '../upload/single-file-check.js';
import type { UploadAdmission } from '../upload/upload-admission.js';
import { sendGraphQLError } from './http-responses.js';

export function isMultipartRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

/** The `operations` and `map` fields are JSON of a few KiB; a megabyte is already generous. */
const MAX_FIELD_BYTES = 1_000_000;

/** What the upload resolver learns about its multipart request. */
export interface UploadRequestFacts {
  /** Resolves once the request has ended with nothing beyond a file of `fileBytes`; rejects otherwise. */
  verifyEnd(fileBytes: number): Promise<void>;
  /** The file's size implied by the request's Content-Length, when it had one. */
  declaredFileSize(): number | undefined;
}

const uploadRequests = new WeakMap<IncomingMessage, UploadRequestFacts>();

/** True for a request that prepareMultipartRequest handed on to Yoga. */
export function isUploadRequest(req: IncomingMessage): boolean {
  return uploadRequests.has(req);
}

/**
 * The facts about an upload request that prepareMultipartRequest handed to Yoga.
 * `verifyEnd` is awaited before MAVI may see the end of the file, so a refused
 * request never completes an upload at MAVI.
 */
export function uploadRequestFacts(req: IncomingMessage | undefined): UploadRequestFacts | undefined {
  return req ? uploadRequests.get(req) : undefined;
}

/**
 * Admits and parses the multipart envelope into `req.body`. Returns false (after
 * answering) when the request is refused. The file's size is not limited by the
 * parser: busboy would silently truncate it, and a truncated video must never
 * reach MAVI, so the upload counts bytes itself and fails loudly
 * (upload/file-source.ts).
 */
export async function prepareMultipartRequest(
  req: IncomingMessage,
  res: ServerResponse,
  admission: UploadAdmission,
): Promise<boolean> {
  // Any refusal leaves most of the body unread: close the connection rather than drain it.
  const refuse = (code: ErrorCode, message: string, headers: Record<string, string> = {}) => {
    sendGraphQLError(res, code, message, { ...headers, connection: 'close' });
    return false;
  };

  const admitted = admission.admit(req, res);
  if ('code' in admitted) return refuse(admitted.code, admitted.message, admitted.headers);

  const boundary = boundaryOf(req.headers['content-type']);
  if (!boundary) return refuse('INVALID_MULTIPART', 'The Content-Type header has no multipart boundary.');
  const singleFile = watchSingleFile(req, boundary, 2 * MAX_FIELD_BYTES + 64 * 1024);

  try {
    const operations = await processRequest(req, res, { maxFieldSize: MAX_FIELD_BYTES, maxFiles: 1 });
    Object.assign(req, { body: operations });
  } catch (error) {
    const refusal = asMultipartRequestError(error);
    return refuse(refusal.code, refusal.message);
  }

  const declaredLength =
    req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  uploadRequests.set(req, {
    async verifyEnd(fileBytes) {
      try {
        await singleFile.verify(fileBytes);
      } catch (error) {
        if (error instanceof ExtraPartError) throw new MultipartRequestError('ONE_FILE_ONLY', error.message);
        throw new MultipartRequestError('INVALID_MULTIPART', 'The request ended before its multipart body did.');
      }
    },
    declaredFileSize: () =>
      declaredLength === undefined || !Number.isFinite(declaredLength)
        ? undefined
        : singleFile.fileSizeFrom(declaredLength),
  });
  // Yoga now sees a parsed JSON body. Its body-size limit reads Content-Length, which
  // here is the size of the file: the upload limit is enforced while streaming instead.
  delete req.headers['content-length'];
  req.headers['content-type'] = 'application/json';
  return true;
}
