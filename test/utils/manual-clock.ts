/**
 * A clock for the status poller that a test drives: each `tick()` runs the round the poller
 * scheduled and waits until that round has ended (the poller then schedules the next). Tests
 * count what one round does, not what happens to fit in a stretch of wall-clock time.
 */
import type { PollClock } from '../../src/status/status-poller.js';

export class ManualClock implements PollClock {
  /** Every delay the poller asked for, in order: its period, round by round. */
  readonly delays: number[] = [];
  private pending: (() => void) | undefined;
  private waiters: (() => void)[] = [];

  schedule(round: () => void, delayMs: number): () => void {
    this.pending = round;
    this.delays.push(delayMs);
    for (const waiter of this.waiters.splice(0)) waiter();
    return () => {
      if (this.pending === round) this.pending = undefined;
    };
  }

  /** Runs the next round, and resolves once it has ended. */
  async tick(): Promise<void> {
    await this.scheduled();
    const round = this.pending!;
    this.pending = undefined;
    const ended = this.scheduled();
    round();
    await ended;
  }

  private scheduled(): Promise<void> {
    if (this.pending) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
