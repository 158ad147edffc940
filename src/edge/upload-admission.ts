/**
 * The checks an upload passes on the raw request, before a byte of it is parsed:
 *  1. CSRF: a plain HTML form can send multipart/form-data cross-site without a
 *     CORS preflight, so a multipart request must carry a header a form cannot
 *     set. (Yoga's own CSRF check never sees uploads: they reach it as JSON.)
 *  2. The caller, identified by the edge (caller.ts), when it is not one.
 *  3. A declared Content-Length already over the upload limit.
 *  4. The client's quotas: uploads an hour, bytes a day (UPLOADS_PER_HOUR, UPLOAD_BYTES_PER_DAY).
 *  5. Concurrent uploads per client key. An upload holds its slot until it has
 *     ended at MAVI (answered, or abandoned there), not until its client hangs up:
 *     a client that sends its file and leaves has not ended its upload, which still
 *     waits for MAVI (the slot travels to the resolver in the server context). A
 *     request that never starts one gives its slot back when its connection closes.
 *  6. The pace of uploads MAVI takes (MAVI_UPLOADS_PER_MINUTE), for all clients.
 * A refusal here costs nothing: no parsing, nothing sent to MAVI.
 */
import type { Caller } from '../identity.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRefusal, refusal, StoreUnavailableError, type Refusal } from '../errors.js';
import type { UploadSlot } from '../graphql/context.js';
import type { CostControl } from '../limits/cost-control.js';
import { OpenPerOwner } from '../limits/open-per-owner.js';
import type { UploadPace } from '../upload/upload-pace.js';

/** Headers that a cross-site HTML form cannot send (lower case, as Node gives them). */
const PREFLIGHT_HEADERS = [
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-graphql-yoga-csrf',
  'authorization',
];

/** Room for the `operations` and `map` fields and the part headers around the file. */
const ENVELOPE_ALLOWANCE_BYTES = 1024 * 1024;

export interface UploadAdmissionOptions {
  /** The pace of uploads, when MAVI_UPLOADS_PER_MINUTE sets one. */
  pace?: UploadPace;
  maxUploadBytes: number;
  maxConcurrentUploadsPerKey: number;
  /** The client's upload quotas. */
  quotas: Pick<CostControl, 'admitUpload'>;
}

export class UploadAdmission {
  /** Uploads running per client, against MAX_CONCURRENT_UPLOADS_PER_KEY. */
  private readonly active: OpenPerOwner;

  constructor(private readonly options: UploadAdmissionOptions) {
    this.active = new OpenPerOwner(options.maxConcurrentUploadsPerKey);
  }

  /**
   * Admits the request, whose caller the edge identified (or refused), and
   * counts it until `res` closes or, once it started an upload, the upload ends;
   * or says why not.
   */
  async admit(req: IncomingMessage, res: ServerResponse, caller: Caller | Refusal): Promise<UploadSlot | Refusal> {
    if (!PREFLIGHT_HEADERS.some((name) => req.headers[name] !== undefined)) {
      return refusal(
        'PREFLIGHT_REQUIRED',
        'This multipart request has no Apollo-Require-Preflight header (nor X-Apollo-Operation-Name, x-graphql-yoga-csrf or Authorization); a plain HTML form cannot send one, so it is required as CSRF protection.',
      );
    }
    if (isRefusal(caller)) return caller;
    const { ownerId } = caller;

    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.options.maxUploadBytes + ENVELOPE_ALLOWANCE_BYTES) {
      return refusal(
        'UPLOAD_TOO_LARGE',
        `The request is ${declared} bytes; the upload limit is ${this.options.maxUploadBytes} bytes.`,
      );
    }

    try {
      const declaredFile = Number.isFinite(declared) ? Math.max(0, declared - ENVELOPE_ALLOWANCE_BYTES) : undefined;
      const quotaRefusal = await this.options.quotas.admitUpload(ownerId, declaredFile);
      if (quotaRefusal) return quotaRefusal;
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error; // a bug is not the quota's store being away
      return refusal('STORE_UNAVAILABLE');
    }

    // Counted before the pace is asked (an await), so that concurrent requests see each other.
    if (!this.active.take(ownerId)) {
      return refusal(
        'TOO_MANY_UPLOADS',
        `At most ${this.options.maxConcurrentUploadsPerKey} uploads may run at once per client key; retry when one has finished.`,
      );
    }
    const release = () => this.active.give(ownerId);
    let paced: Refusal | undefined;
    try {
      paced = await this.options.pace?.take();
    } catch (error) {
      release();
      if (!(error instanceof StoreUnavailableError)) throw error;
      // The shared budget's store (Redis) is away: refuse rather than exceed MAVI's limit.
      return refusal('STORE_UNAVAILABLE');
    }
    if (paced !== undefined) {
      release();
      return paced;
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
    return {
      holdUntil: (work) => {
        if (held) return;
        held = true;
        res.off('close', releaseOnce);
        work.then(releaseOnce, releaseOnce);
      },
    };
  }
}
