import { StoreUnavailableError } from '../errors.js';

/**
 * Runs one operation of a store kept on Redis. Redis failing (away, not answering
 * within its command timeout) is StoreUnavailableError, which callers answer as
 * STORE_UNAVAILABLE (503, retryable) rather than as a bug.
 */
export async function onRedis<Result>(operation: () => Promise<Result>): Promise<Result> {
  try {
    return await operation();
  } catch (error) {
    throw new StoreUnavailableError(`Redis failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
