/**
 * /uploads: resumable uploads (tus 1.0), served by staging/resumable-uploads.ts
 * once the edge has let a request through. The caller is identified exactly as
 * for GraphQL (caller.ts); a refusal (no credential, someone else's upload, a
 * stopping gateway) is answered before a byte of the body is read. A PATCH may
 * take as long as its link needs, as long as its bytes keep coming: it is cut
 * after UPLOAD_IDLE_TIMEOUT_MS without one, and what arrived until then stays
 * staged for the client to resume from.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRefusal, refusal, type Refusal } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResumableUploads } from '../staging/resumable-uploads.js';
import { sendRefusal } from './answers.js';
import { startBodyDeadline, startIdleGapDeadline } from './body-deadline.js';
import type { CallerIdentification } from './caller.js';
import type { RequestBody } from './request-body.js';

export interface ResumableRouteDeps {
  /** Undefined when the gateway has no staging (RESUMABLE_UPLOADS=off, or several instances without S3). */
  uploads: ResumableUploads | undefined;
  callers: CallerIdentification;
  logger: Logger;
  requestBodyTimeoutMs: number;
  uploadIdleTimeoutMs: number;
  /** True once shutdown has begun: new uploads are refused (resuming ones are served while the server is). */
  stopping(): boolean;
}

/** Every tus answer carries the protocol version, refusals too: tus clients check it. */
const TUS_HEADERS = { 'tus-resumable': '1.0.0' };

export async function handleResumable(
  deps: ResumableRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  body: RequestBody,
): Promise<void> {
  const refuse = (refused: Refusal) =>
    body.refuse((headers) => sendRefusal(res, refused, 'route', { ...headers, ...TUS_HEADERS }));
  const { uploads } = deps;
  if (!uploads) return refuse(refusal('RESUMABLE_UPLOADS_OFF'));
  // A browser's CORS preflight carries no credential.
  if (req.method === 'OPTIONS') {
    body.take();
    return uploads.preflight(req, res);
  }
  const caller = await deps.callers.ofRequest(req);
  if (isRefusal(caller)) return refuse(caller);
  if (req.method === 'POST' && deps.stopping()) return refuse(refusal('SHUTTING_DOWN'));
  const refused = await uploads.refusalOf(req, caller);
  if (refused) return refuse(refused);

  if (req.method === 'PATCH' || req.method === 'POST') {
    startIdleGapDeadline(req, deps.uploadIdleTimeoutMs, () =>
      deps.logger.info('dropped a resumable upload request whose body stopped arriving; it can resume', {
        idleMs: deps.uploadIdleTimeoutMs,
      }),
    );
  } else {
    startBodyDeadline(req, deps.requestBodyTimeoutMs, () => undefined);
  }
  body.take();
  await uploads.serve(req, res, caller);
}
