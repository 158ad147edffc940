/**
 * When a failed delivery is tried again: on a schedule of delays (APP_WEBHOOK_RETRY_DELAYS_MS,
 * by default Standard Webhooks': at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h
 * and 24 h), each delay with ±10 % jitter so that a receiver
 * back from an outage is not hit by every instance's retries in the same second. A receiver's
 * `Retry-After` is honoured when it asks for longer.
 */

const SECOND = 1_000;
const HOUR = 60 * 60 * SECOND;

/** The longest Retry-After honoured: longer than the schedule's longest step is not waited for. */
const MAX_RETRY_AFTER_MS = 24 * HOUR;

/**
 * The delay before the retry that follows `attempts` failed attempts, or undefined when the
 * schedule is spent (the delivery has failed for good).
 */
export function retryDelay(
  delays: readonly number[],
  attempts: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  const step = delays[attempts - 1];
  if (step === undefined) return undefined;
  const jittered = Math.round(step * (0.9 + 0.2 * random()));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * SECOND;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
