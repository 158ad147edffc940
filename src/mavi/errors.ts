/**
 * How MAVI's answers turn into errors. MAVI signals trouble three ways: the HTTP
 * status, the envelope's string `code` (which can say "busy" under HTTP 200), and
 * the transport failing. Each maps to one gateway error code. Both API families
 * document the same four-digit codes (docs/memories-api.md §1.4); older clients
 * compared three-digit spellings ("403"), so both are accepted.
 */
import type { GraphQLError } from 'graphql';
import { gatewayError, type ErrorCode } from '../errors.js';

export type MaviErrorCode = Extract<
  ErrorCode,
  'MAVI_BUSY' | 'MAVI_AUTH' | 'MAVI_QUOTA' | 'MAVI_REJECTED' | 'MAVI_UNAVAILABLE' | 'MAVI_MISCONFIGURED'
>;

/** Codes that tell the operator, not the client, to act: logged as errors. */
export const OPERATOR_CODES: readonly MaviErrorCode[] = ['MAVI_AUTH', 'MAVI_QUOTA', 'MAVI_MISCONFIGURED'];

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

  /** The error as clients see it: its gateway code, and MAVI's own code and message when MAVI refused. */
  toGatewayError(): GraphQLError {
    const extensions =
      this.code === 'MAVI_REJECTED' ? { maviCode: this.context.maviCode, maviMessage: this.context.maviMsg } : {};
    return gatewayError(this.code, this.message, extensions);
  }
}

/** MAVI's business codes, four digits; "SUCCESS" ends chat streams and appears in some old answers. */
export const MAVI_CODES = {
  success: ['0000', 'SUCCESS'],
  /** Duplicate request: on delete, the video is already gone. */
  duplicate: '0409',
} as const;

/** Envelope code → gateway code, for the codes both families document. */
const CODE_TABLE: Record<string, { code: MaviErrorCode; message: string }> = {
  '0401': { code: 'MAVI_AUTH', message: 'MAVI refused the gateway credentials.' },
  '9009': { code: 'MAVI_AUTH', message: 'MAVI refused the gateway credentials (permission denied).' },
  '0403': { code: 'MAVI_AUTH', message: "MAVI refused the gateway credentials (the operator's account is disabled)." },
  '0402': { code: 'MAVI_QUOTA', message: "MAVI has no credits left on the operator's account." },
  '0429': { code: 'MAVI_BUSY', message: 'MAVI is busy; retry later.' },
};

/** "403" and "0403" are the same code; "SUCCESS" stays as it is. */
export function normalizeMaviCode(code: string): string {
  return /^\d{1,3}$/.test(code) ? code.padStart(4, '0') : code;
}

function isSuccessCode(code: string | undefined): boolean {
  return code !== undefined && (MAVI_CODES.success as readonly string[]).includes(normalizeMaviCode(code));
}

/** Classifies an answer whose body was read (and parsed when it was JSON); undefined when it succeeded. */
export function maviErrorFromAnswer(
  httpStatus: number,
  envelope: { code?: unknown; msg?: unknown } | undefined,
): MaviError | undefined {
  const rawCode =
    typeof envelope?.code === 'string' || typeof envelope?.code === 'number' ? String(envelope.code) : undefined;
  const maviCode = rawCode === undefined ? undefined : normalizeMaviCode(rawCode);
  const maviMsg = typeof envelope?.msg === 'string' ? envelope.msg : undefined;
  const context = { httpStatus, maviCode: rawCode, maviMsg };

  const known = maviCode === undefined ? undefined : CODE_TABLE[maviCode];
  if (httpStatus === 429 || known?.code === 'MAVI_BUSY')
    return new MaviError('MAVI_BUSY', CODE_TABLE['0429']!.message, context);
  if (known) return new MaviError(known.code, known.message, context);
  if (httpStatus === 401 || httpStatus === 403) {
    return new MaviError('MAVI_AUTH', 'MAVI refused the gateway credentials.', context);
  }
  if (httpStatus >= 500) return new MaviError('MAVI_UNAVAILABLE', `MAVI answered HTTP ${httpStatus}.`, context);
  if (envelope === undefined) {
    // MAVI answers every request with its JSON envelope: a page (a wrong host's 404, a proxy's login page) means
    // the gateway is pointed at something else, which no retry fixes.
    return new MaviError(
      'MAVI_MISCONFIGURED',
      `What answered (HTTP ${httpStatus}, no MAVI envelope) is not MAVI's API: check MAVI_BASE_URL and MAVI_API.`,
      context,
    );
  }
  // 0001 and 0003 (a parameter MAVI refused), 0409 and anything else: MAVI said no, with its reason.
  if (!isSuccessCode(maviCode) || httpStatus >= 400) {
    return new MaviError('MAVI_REJECTED', `MAVI rejected the request: ${maviMsg ?? `code ${rawCode}`}`, context);
  }
  return undefined;
}
