/**
 * MAVI_UPLOADS_PER_MINUTE: the pace at which the gateway starts uploads, for all
 * clients together, since MAVI counts uploads per account (its successor
 * documents as few as one a minute). An upload over the pace is refused before
 * its body is read, with the seconds until the next one may start, rather than
 * refused as busy by MAVI after the client streamed gigabytes. The budget is a
 * rate-limiter-flexible limiter: in memory, or on Redis so that every instance
 * spends one budget (server/backends.ts chooses).
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { refusal, type Refusal } from '../errors.js';
import { takeTurn } from '../limits/turns.js';

/** The one key all uploads count against: MAVI's limit is per account, not per client. */
const ACCOUNT_KEY = 'mavi-uploads';

export interface UploadPace {
  /** Takes one upload's turn: undefined when it may start, else its TOO_MANY_UPLOADS refusal. */
  take(): Promise<Refusal | undefined>;
}

/** A pace of `limiter.points` uploads per `limiter.duration` (a minute). */
export function uploadPace(limiter: RateLimiterAbstract): UploadPace {
  return {
    async take() {
      const wait = await takeTurn(limiter, ACCOUNT_KEY);
      if (wait === undefined) return undefined;
      return refusal(
        'TOO_MANY_UPLOADS',
        `This gateway starts at most ${limiter.points} uploads a minute (MAVI's limit for the account); the next may start in ${wait} s.`,
        wait,
      );
    },
  };
}
