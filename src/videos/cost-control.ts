/**
 * Per-client limits on the operations that spend the operator's MAVI credits and
 * run under MAVI's per-account rate limits: search, chat and transcripts. Each
 * class has its own budget per client per minute (RATE_LIMIT_*_PER_MINUTE); a
 * refusal is RATE_LIMITED with the seconds to wait. The budgets live where
 * server/backends.ts puts them: in memory, or on Redis, shared by every instance.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { gatewayError } from '../errors.js';
import { takeTurn } from '../limits/turns.js';

export type CostClass = 'search' | 'chat' | 'transcript';

export interface CostControl {
  /** Takes one turn of `kind` for the client, or throws RATE_LIMITED. */
  spend(kind: CostClass, ownerId: string): Promise<void>;
}

export function costControl(limiters: Readonly<Record<CostClass, RateLimiterAbstract>>): CostControl {
  return {
    async spend(kind, ownerId) {
      const waitSeconds = await takeTurn(limiters[kind], `${kind}:${ownerId}`);
      if (waitSeconds === undefined) return;
      throw gatewayError(
        'RATE_LIMITED',
        `Too many ${kind} requests: at most ${limiters[kind].points} a minute. Retry in ${waitSeconds} s.`,
        { extensions: { retryAfterSeconds: waitSeconds } },
      );
    },
  };
}
