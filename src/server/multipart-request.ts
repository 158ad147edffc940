/**
 * GraphQL multipart requests (uploads) are parsed here, on the raw Node request,
 * before Yoga sees them. Yoga's own multipart support would buffer the whole
 * file; graphql-upload-minimal resolves as soon as `operations` and `map` are
 * parsed, and the resolver streams the file while the client is still sending.
 * Yoga then gets the parsed operation as if it were a JSON request (see
 * shared/design.md, "Facts measured here").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { processRequest } from 'graphql-upload-minimal';
import { sendGraphQLError } from './http-responses.js';

export function isMultipartRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

const uploadRequests = new WeakSet<IncomingMessage>();

/** True for a request that prepareMultipartRequest handed on to Yoga. */
export function isUploadRequest(req: IncomingMessage): boolean {
  return uploadRequests.has(req);
}

/** The `operations` and `map` fields are JSON of a few KiB; a megabyte is already generous. */
const MAX_FIELD_BYTES = 1_000_000;

/**
 * Parses the multipart envelope into `req.body`. Returns false (after answering)
 * when the envelope is invalid. The file's size is not limited here: busboy would
 * silently truncate it, and a truncated video must never reach MAVI, so the
 * upload itself counts bytes and fails loudly (see upload/file-source.ts).
 */
export async function prepareMultipartRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  try {
    const operations = await processRequest(req, res, { maxFieldSize: MAX_FIELD_BYTES, maxFiles: 1 });
    Object.assign(req, { body: operations });
  } catch (error) {
    const status =
      typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 400;
    const message = error instanceof Error ? error.message : 'Invalid multipart request.';
    sendGraphQLError(res, status, status === 413 ? 'REQUEST_TOO_LARGE' : 'BAD_REQUEST', message, {
      connection: 'close',
    });
    return false;
  }
  // Yoga now sees a parsed JSON body. Its body-size limit reads Content-Length, which
  // here is the size of the file: the upload limit is enforced while streaming instead.
  uploadRequests.add(req);
  delete req.headers['content-length'];
  req.headers['content-type'] = 'application/json';
  return true;
}
