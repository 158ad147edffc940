/**
 * What a `resumableUploadProgress` subscriber sees (events/follow.ts): the upload's state now,
 * then each change (bytes received, forwarding progress, retries), and the end right after
 * REGISTERED or FAILED, or once the upload is deleted.
 */
import { follow, type Changes, type Feed } from '../events/follow.js';
import type { StagedUpload } from './staged-upload.js';
import { isFinal, movesOn } from './transitions.js';

/** An upload's record and the bytes staged so far. */
export interface UploadProgress extends StagedUpload {
  /** Bytes received and staged (tus's Upload-Offset); the whole length once received. */
  offset: number;
}

/** Published on an upload's topic: its new state, or that it was deleted (tus termination). */
export type ProgressEvent = UploadProgress | { id: string; removed: true };

export type ProgressFeed = Feed<ProgressEvent>;

export function progressFeed(current: UploadProgress, changes: Changes<ProgressEvent>): ProgressFeed {
  return follow(changes, {
    first: current,
    isLast: (event) => 'removed' in event || isFinal(event.state),
    // Events from several instances may cross: never step back to an earlier state or offset.
    movesOn: (last, event) =>
      'removed' in event ||
      ('state' in last &&
        movesOn(last.state, event.state) &&
        !(event.state === 'RECEIVING' && event.offset < last.offset)),
  });
}
