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

/** The methods tus serves (GET is refused later: no downloads); X-HTTP-Method-Override may name one of them. */
const TUS_METHODS = new Set(['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * What tus 1.0 asks of a request before anything else, which @tus/server answers otherwise: the
 * method a client behind a restrictive proxy names in X-HTTP-Method-Override is the method (it
 * MUST be honoured); an unsupported Tus-Resumable is 412 with Tus-Version; a PATCH's body is
 * application/offset+octet-stream, else 415. Undefined when the request may go on.
 */
function protocolRefusal(req: IncomingMessage): Refusal | undefined {
  const override = req.headers['x-http-method-override'];
  if (override !== undefined) {
    const method = String(override).trim().toUpperCase();
    if (!TUS_METHODS.has(method)) {
      return refusal(
        'MALFORMED_REQUEST',
        `X-HTTP-Method-Override names ${JSON.stringify(method.slice(0, 20))}, which is not a tus method (HTTP 400).`,
      );
    }
    req.method = method;
  }
  if (req.method === 'OPTIONS') return undefined;
  if (req.headers['tus-resumable'] !== '1.0.0') return refusal('TUS_VERSION_UNSUPPORTED');
  if (req.method === 'PATCH') {
    const type = req.headers['content-type']?.split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/offset+octet-stream') return refusal('WRONG_CONTENT_TYPE');
  }
  return undefined;
}

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
  const unspoken = protocolRefusal(req);
  if (unspoken) return refuse(unspoken);
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
