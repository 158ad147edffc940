/**
 * Taking a turn from a rate-limiter-flexible budget (in memory, or on Redis so
 * that every instance spends one budget): the one reading of its answers that
 * the upload pace and the per-client operation limits share.
 */
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { StoreUnavailableError } from '../errors.js';

/**
 * Takes one turn for `key`: undefined when granted, else the whole seconds until
 * the next turn (at least 1). Throws StoreUnavailableError when the budget's
 * store cannot answer.
 */
export async function takeTurn(limiter: RateLimiterAbstract, key: string): Promise<number | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (refusal) {
    // rate-limiter-flexible rejects with a RateLimiterRes when over budget; an Error is its store (Redis) failing.
    if (refusal instanceof Error) {
      throw new StoreUnavailableError(`The rate budget's store failed: ${refusal.message}`, { cause: refusal });
    }
    return Math.max(1, Math.ceil((refusal as RateLimiterRes).msBeforeNext / 1000));
  }
}
