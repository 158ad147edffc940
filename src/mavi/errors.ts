/**
 * How MAVI's answers turn into errors. MAVI signals trouble three ways: the HTTP
 * status, the envelope's string `code` (which can say "busy" under HTTP 200), and
 * the transport failing. Each maps to one gateway error code.
 */
import type { ErrorCode } from '../errors.js';
import { MAVI_BUSY_CODE, MAVI_FORBIDDEN_CODE, MAVI_SUCCESS } from './types.js';

export type MaviErrorCode = Extract<ErrorCode, 'MAVI_BUSY' | 'MAVI_AUTH' | 'MAVI_REJECTED' | 'MAVI_UNAVAILABLE'>;

export class MaviError extends Error {
  override name = 'MaviError';
  constructor(
    readonly code: MaviErrorCode,
    message: string,
    /** What a caller needs to diagnose it: never the request's credentials. */
    readonly context: { httpStatus?: number; maviCode?: string; maviMsg?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: context.cause });
  }
}

/** Classifies an answer whose body was read (and parsed when it was JSON). */
export function maviErrorFromAnswer(httpStatus: number, envelope: { code?: unknown; msg?: unknown } | undefined) {
  const maviCode = typeof envelope?.code === 'string' ? envelope.code : undefined;
  const maviMsg = typeof envelope?.msg === 'string' ? envelope.msg : undefined;
  const context = { httpStatus, maviCode, maviMsg };

  if (httpStatus === 429 || maviCode === MAVI_BUSY_CODE) {
    return new MaviError('MAVI_BUSY', 'MAVI is busy; retry later.', context);
  }
  if (httpStatus === 401 || httpStatus === 403 || maviCode === MAVI_FORBIDDEN_CODE) {
    return new MaviError('MAVI_AUTH', 'MAVI refused the gateway credentials.', context);
  }
  if (httpStatus >= 500) {
    return new MaviError('MAVI_UNAVAILABLE', `MAVI answered HTTP ${httpStatus}.`, context);
  }
  if (envelope === undefined) {
    return new MaviError('MAVI_UNAVAILABLE', `MAVI answered HTTP ${httpStatus} without a JSON envelope.`, context);
  }
  if (maviCode !== MAVI_SUCCESS || httpStatus >= 400) {
    return new MaviError('MAVI_REJECTED', `MAVI rejected the request: ${maviMsg ?? `code ${maviCode}`}`, context);
  }
  return undefined;
}
