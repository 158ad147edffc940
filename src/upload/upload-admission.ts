/**
 * The checks an upload passes on the raw request, before a byte of it is parsed:
 *  1. CSRF: a plain HTML form can send multipart/form-data cross-site without a
 *     CORS preflight, so a multipart request must carry a header a form cannot
 *     set. (Yoga's own CSRF check never sees uploads: they reach it as JSON.)
 *  2. The client key, when keys are configured.
 *  3. A declared Content-Length already over the upload limit.
 *  4. The client's quotas: uploads an hour, bytes a day (UPLOADS_PER_HOUR, UPLOAD_BYTES_PER_DAY).
 *  5. Concurrent uploads per client key. An upload holds its slot until it has
 *     ended at MAVI (answered, or abandoned there), not until its client hangs up:
 *     a client that sends its file and leaves has not ended its upload, which still
 *     waits for MAVI (holdUploadSlot). A request that never starts one gives its
 *     slot back when its connection closes.
 *  6. The pace of uploads MAVI takes (MAVI_UPLOADS_PER_MINUTE), for all clients.
 * A refusal here costs nothing: no parsing, nothing sent to MAVI.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UNAUTHENTICATED_HEADERS, type ClientKeys } from '../auth/client-keys.js';
import { errorRegistry, StoreUnavailableError, type ErrorCode } from '../errors.js';
import type { CostControl } from '../limits/cost-control.js';
import type { UploadPace } from './upload-pace.js';

/** Headers that a cross-site HTML form cannot send (lower case, as Node gives them). */
const PREFLIGHT_HEADERS = [
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-graphql-yoga-csrf',
  'authorization',
];

/** Room for the `operations` and `map` fields and the part headers around the file. */
const ENVELOPE_ALLOWANCE_BYTES = 1024 * 1024;

export interface Refusal {
  code: ErrorCode;
  message: string;
  headers?: Record<string, string>;
}

export interface Admission {
  ownerId: string;
}

export interface UploadAdmissionOptions {
  keys: ClientKeys;
  /** The pace of uploads, when MAVI_UPLOADS_PER_MINUTE sets one. */
  pace?: UploadPace;
  maxUploadBytes: number;
  maxConcurrentUploadsPerKey: number;
  /** The client's upload quotas. */
  quotas: Pick<CostControl, 'admitUpload'>;
}

/** The slot an admitted request holds, until its connection closes or, once it started an upload, the upload ends. */
const slots = new WeakMap<IncomingMessage, { holdUntil(work: Promise<unknown>): void }>();

/** Keeps the request's upload slot until `work` (its upload, through to MAVI's answer) has ended. */
export function holdUploadSlot(req: IncomingMessage | undefined, work: Promise<unknown>): void {
  if (req) slots.get(req)?.holdUntil(work);
}

export class UploadAdmission {
  private readonly active = new Map<string, number>();

  constructor(private readonly options: UploadAdmissionOptions) {}

  /** Admits the request (and counts it until `res` closes) or says why not. */
  async admit(req: IncomingMessage, res: ServerResponse): Promise<Admission | Refusal> {
    if (!PREFLIGHT_HEADERS.some((name) => req.headers[name] !== undefined)) {
      return {
        code: 'PREFLIGHT_REQUIRED',
        message:
          'This multipart request has no Apollo-Require-Preflight header (nor X-Apollo-Operation-Name, x-graphql-yoga-csrf or Authorization); a plain HTML form cannot send one, so it is required as CSRF protection.',
      };
    }

    const ownerId = this.options.keys.identify(req.headers.authorization);
    if (ownerId === undefined) {
      return {
        code: 'UNAUTHENTICATED',
        message: errorRegistry.UNAUTHENTICATED.message,
        headers: UNAUTHENTICATED_HEADERS,
      };
    }

    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.options.maxUploadBytes + ENVELOPE_ALLOWANCE_BYTES) {
      return {
        code: 'UPLOAD_TOO_LARGE',
        message: `The request is ${declared} bytes; the upload limit is ${this.options.maxUploadBytes} bytes.`,
      };
    }

    let quotaRefusal;
    try {
      const declaredFile = Number.isFinite(declared) ? Math.max(0, declared - ENVELOPE_ALLOWANCE_BYTES) : undefined;
      quotaRefusal = await this.options.quotas.admitUpload(ownerId, declaredFile);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error; // a bug is not the quota's store being away
      return {
        code: 'STORE_UNAVAILABLE',
        message: errorRegistry.STORE_UNAVAILABLE.message,
        headers: { 'retry-after': '5' },
      };
    }
    if (quotaRefusal) {
      return {
        code: 'RATE_LIMITED',
        message: quotaRefusal.message,
        headers: { 'retry-after': String(quotaRefusal.waitSeconds) },
      };
    }

    const running = this.active.get(ownerId) ?? 0;
    if (running >= this.options.maxConcurrentUploadsPerKey) {
      return {
        code: 'TOO_MANY_UPLOADS',
        message: `At most ${this.options.maxConcurrentUploadsPerKey} uploads may run at once per client key; retry when one has finished.`,
        headers: { 'retry-after': '5' },
      };
    }
    // Counted before the pace is asked (an await), so that concurrent requests see each other.
    this.active.set(ownerId, running + 1);
    const release = () => {
      const left = (this.active.get(ownerId) ?? 1) - 1;
      if (left > 0) this.active.set(ownerId, left);
      else this.active.delete(ownerId);
    };
    let wait: number | undefined;
    try {
      wait = await this.options.pace?.take();
    } catch (error) {
      release();
      if (!(error instanceof StoreUnavailableError)) throw error;
      // The shared budget's store (Redis) is away: refuse rather than exceed MAVI's limit.
      return {
        code: 'STORE_UNAVAILABLE',
        message: errorRegistry.STORE_UNAVAILABLE.message,
        headers: { 'retry-after': '5' },
      };
    }
    if (wait !== undefined) {
      release();
      return {
        code: 'TOO_MANY_UPLOADS',
        message: `This gateway starts at most ${this.options.pace?.perMinute} uploads a minute (MAVI's limit for the account); the next may start in ${wait} s.`,
        headers: { 'retry-after': String(wait) },
      };
    }
    // Released once: at the connection's close, or, once an upload started, at the upload's end.
    let held = false;
    let released = false;
    const releaseOnce = () => {
      if (released) return;
      released = true;
      release();
    };
    res.once('close', releaseOnce);
    slots.set(req, {
      holdUntil: (work) => {
        if (held) return;
        held = true;
        res.off('close', releaseOnce);
        work.then(releaseOnce, releaseOnce);
      },
    });
    return { ownerId };
  }
}
