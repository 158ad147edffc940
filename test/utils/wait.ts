import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `condition` until it holds; fails the test with `what` when it does not in time. The
 * bound is for a condition that never comes: generous, so that a machine whose cores are all
 * busy is never mistaken for a defect.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
