/**
 * What a `videoStatus` subscriber sees: the current status first, then one event
 * per change, and the end right after a terminal status (or when the bus ends
 * the subscription at shutdown). The caller subscribes to the bus *before*
 * reading the record, so a change landing in between is not lost; `nextStatus`
 * drops it when the record already had it.
 */
import type { StatusChange, VideoRecord } from './status-store.js';
import { isTerminal, nextStatus } from './transitions.js';

export async function* replayThenFollow(
  record: VideoRecord,
  changes: AsyncIterator<StatusChange> & { return?(): Promise<unknown> },
): AsyncGenerator<StatusChange> {
  try {
    let current = record.status;
    yield { videoNo: record.videoNo, status: current, receivedAt: record.updatedAt };
    while (!isTerminal(current)) {
      const next = await changes.next();
      if (next.done) return;
      if (nextStatus(current, next.value.status) === undefined) continue;
      current = next.value.status;
      yield next.value;
    }
  } finally {
    await changes.return?.();
  }
}
