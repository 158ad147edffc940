/**
 * Taking a turn from a rate-limiter-flexible budget (in memory, or on Redis so
 * that every instance spends one budget): the one reading of its answers that
 * the upload pace and the per-client operation limits share.
 */
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';

/** Takes one turn for `key`: undefined when granted, else the whole seconds until the next turn (at least 1). */
export async function takeTurn(limiter: RateLimiterAbstract, key: string): Promise<number | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (refusal) {
    // rate-limiter-flexible rejects with a RateLimiterRes when over budget; anything else is a store failure.
    if (refusal instanceof Error) throw refusal;
    return Math.max(1, Math.ceil((refusal as RateLimiterRes).msBeforeNext / 1000));
  }
}
