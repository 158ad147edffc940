/**
 * Per-client budgets over time (rate-limiter-flexible: in memory, or on Redis so
 * that every instance spends one budget; server/backends.ts chooses):
 *  - the operations that spend the operator's MAVI credits and run under MAVI's
 *    per-account limits, each class with its own budget a minute
 *    (RATE_LIMIT_SEARCH/CHAT/TRANSCRIPT_PER_MINUTE), and, when set, one for all
 *    clients and users together (RATE_LIMIT_APP_SEARCH/CHAT/TRANSCRIPT_PER_MINUTE);
 *  - every GraphQL operation, a budget a minute (OPERATIONS_PER_MINUTE);
 *  - uploads, a budget an hour (UPLOADS_PER_HOUR), and upload bytes, a budget a
 *    day (UPLOAD_BYTES_PER_DAY).
 * A refusal is RATE_LIMITED with the seconds to wait (`retryAfterSeconds`; an
 * upload refused before its body is read gets `Retry-After`).
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { refusal, refusalError, StoreUnavailableError, type Refusal } from '../errors.js';
import { takeTurn } from './turns.js';

type CostClass = 'search' | 'chat' | 'transcript' | 'operation';

export interface CostLimiters {
  perClass: Readonly<Record<CostClass, RateLimiterAbstract>>;
  /** A class's budget for all clients and users together (RATE_LIMIT_APP_*), when one is set. */
  appWide: Readonly<Partial<Record<CostClass, RateLimiterAbstract | undefined>>>;
  uploads: RateLimiterAbstract;
  uploadBytes: RateLimiterAbstract;
}

export interface CostControl {
  /** Takes one turn of `kind` for the client, or throws RATE_LIMITED. */
  spend(kind: CostClass, ownerId: string): Promise<void>;
  /** Before an upload is read: its turn of the hour, and room in the day for its declared bytes (when declared). */
  /** Undefined when the upload may start, else its RATE_LIMITED refusal. */
  admitUpload(ownerId: string, declaredBytes: number | undefined): Promise<Refusal | undefined>;
  /** After an upload: the bytes it sent count against the client's day. */
  recordUploadBytes(ownerId: string, bytes: number): Promise<void>;
}

/** The one key every client and user spends an app-wide budget under. */
const APP_KEY = 'app';

/** "a minute", "an hour", "a day", or the seconds. */
function per(limiter: RateLimiterAbstract): string {
  return { 60: 'a minute', 3600: 'an hour', 86400: 'a day' }[limiter.duration] ?? `per ${limiter.duration} s`;
}

export function costControl(limiters: CostLimiters): CostControl {
  return {
    async spend(kind, ownerId) {
      const limiter = limiters.perClass[kind];
      const waitSeconds = await takeTurn(limiter, `${kind}:${ownerId}`);
      if (waitSeconds !== undefined) {
        throw refusalError(
          refusal(
            'RATE_LIMITED',
            `Too many ${kind} requests: at most ${limiter.points} ${per(limiter)}. Retry in ${waitSeconds} s.`,
            waitSeconds,
          ),
        );
      }
      // Then the app's: one user within their own budget cannot spend every other user's share of it.
      const appWide = limiters.appWide[kind];
      const appWait = appWide === undefined ? undefined : await takeTurn(appWide, APP_KEY);
      if (appWait === undefined) return;
      throw refusalError(
        refusal(
          'RATE_LIMITED',
          `Too many ${kind} requests for this app, all its users together: at most ${appWide!.points} ${per(appWide!)}. Retry in ${appWait} s.`,
          appWait,
        ),
      );
    },

    async admitUpload(ownerId, declaredBytes) {
      const bytes = await limiters.uploadBytes.get(ownerId).catch((error: unknown) => {
        throw new StoreUnavailableError("The quota's store failed.", { cause: error });
      });
      const used = bytes?.consumedPoints ?? 0;
      const room = limiters.uploadBytes.points - used;
      if (room <= 0 || (declaredBytes !== undefined && declaredBytes > room)) {
        return refusal(
          'RATE_LIMITED',
          `This client's uploads are limited to ${limiters.uploadBytes.points} bytes ${per(limiters.uploadBytes)}; ${Math.max(0, room)} are left.`,
          Math.max(1, Math.ceil((bytes?.msBeforeNext ?? 1000) / 1000)),
        );
      }
      const waitSeconds = await takeTurn(limiters.uploads, ownerId);
      if (waitSeconds === undefined) return undefined;
      return refusal(
        'RATE_LIMITED',
        `This client may upload at most ${limiters.uploads.points} videos ${per(limiters.uploads)}; the next may start in ${waitSeconds} s.`,
        waitSeconds,
      );
    },

    async recordUploadBytes(ownerId, bytes) {
      if (bytes > 0) await limiters.uploadBytes.penalty(ownerId, bytes);
    },
  };
}
