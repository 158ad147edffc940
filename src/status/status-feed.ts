/**
 * What a `videoStatus` subscriber sees (events/follow.ts): the current status first, then one
 * event per change that moves it on (`nextStatus` drops a change the record already had, since
 * the caller subscribes to the bus before it reads the record), and the end right after a
 * terminal status, or when the bus ends the subscription at shutdown.
 *
 * A video deleted while followed ends its feed with the VideoRemoved event: the subscriber is
 * told (the resolver turns it into VIDEO_DELETED), then completes.
 */
import { follow, type Changes, type Feed } from '../events/follow.js';
import type { StatusEvent, VideoRecord } from './status-store.js';
import { isTerminal, nextStatus } from './transitions.js';

export type StatusFeed = Feed<StatusEvent>;

export function statusFeed(record: VideoRecord, changes: Changes<StatusEvent>): StatusFeed {
  return follow(changes, {
    first: { videoNo: record.videoNo, status: record.status, receivedAt: record.updatedAt },
    isLast: (event) => 'removed' in event || isTerminal(event.status),
    movesOn: (last, event) =>
      'removed' in event || ('status' in last && nextStatus(last.status, event.status) !== undefined),
  });
}
