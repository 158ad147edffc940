/**
 * Where each HTTP request goes: /health, the webhook route, uploads (their
 * request stage first), and everything else to Yoga (GraphQL, GraphiQL, /ready).
 * Every request's body gets a deadline before anything else is done with it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UNAUTHENTICATED_HEADERS, type ClientKeys } from '../auth/client-keys.js';
import { startBodyDeadline } from '../http/body-deadline.js';
import { sendError, sendGraphQLError, sendJson } from '../http/responses.js';
import type { Logger } from '../logger.js';
import { isUploadRequest, prepareUploadRequest, type UploadRequestOptions } from '../upload/upload-request.js';
import { handleWebhook, isWebhookPath, WEBHOOK_PATH_PREFIX, type WebhookDeps } from '../webhook/webhook-route.js';
import { GRAPHQL_PATH, type GatewayYoga } from './yoga.js';

export interface RouteDeps {
  yoga: GatewayYoga;
  webhook: WebhookDeps;
  uploadRequests: UploadRequestOptions;
  clientKeys: ClientKeys;
  logger: Logger;
  requestBodyTimeoutMs: number;
  /** True once shutdown has begun: new uploads are refused. */
  stopping(): boolean;
}

export function createRequestHandler(deps: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger } = deps;

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://gateway').pathname;
    // Liveness: answered here, without Yoga, as long as the process serves at all.
    if (pathname === '/health') return sendJson(res, 200, { status: 'ok' });

    const liftBodyDeadline = startBodyDeadline(req, deps.requestBodyTimeoutMs, () =>
      logger.info('dropped a request whose body did not arrive in time', {
        path: isWebhookPath(pathname) ? WEBHOOK_PATH_PREFIX : pathname,
        timeoutMs: deps.requestBodyTimeoutMs,
      }),
    );
    if (isWebhookPath(pathname)) return handleWebhook(deps.webhook, req, res, pathname);
    if (pathname === GRAPHQL_PATH && isUploadRequest(req)) {
      if (deps.stopping()) return sendGraphQLError(res, 'SHUTTING_DOWN', undefined, { connection: 'close' });
      if (!(await prepareUploadRequest(req, res, deps.uploadRequests))) return;
      liftBodyDeadline(); // the envelope is read; the file streams at whatever pace MAVI reads it
    } else if (
      pathname === GRAPHQL_PATH &&
      req.method === 'POST' &&
      deps.clientKeys.identify(req.headers.authorization) === undefined
    ) {
      // The key is checked before any body is read: a caller without one costs no memory.
      return sendGraphQLError(res, 'UNAUTHENTICATED', undefined, { ...UNAUTHENTICATED_HEADERS, connection: 'close' });
    }
    return deps.yoga(req, res);
  };

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      logger.error('request failed', { error, path: req.url?.split('?')[0] });
      if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR');
      else res.destroy();
    });
  };
}
