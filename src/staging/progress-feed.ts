/**
 * What a `resumableUploadProgress` subscriber sees (events/follow.ts): the upload's state now,
 * then each change (bytes received, forwarding progress, retries), and the end right after
 * REGISTERED or FAILED, or once the upload is deleted.
 */
import { follow, type Changes, type Feed } from '../events/follow.js';
import type { StagedUpload, StagedUploadState } from './staged-upload.js';

/** An upload's record and the bytes staged so far. */
export interface UploadProgress extends StagedUpload {
  /** Bytes received and staged (tus's Upload-Offset); the whole length once received. */
  offset: number;
}

/** Published on an upload's topic: its new state, or that it was deleted (tus termination). */
export type ProgressEvent = UploadProgress | { id: string; removed: true };

export type ProgressFeed = Feed<ProgressEvent>;

const ORDER: Record<StagedUploadState, number> = { RECEIVING: 0, FORWARDING: 1, REGISTERED: 2, FAILED: 2 };

export function progressFeed(current: UploadProgress, changes: Changes<ProgressEvent>): ProgressFeed {
  return follow(changes, {
    first: current,
    isLast: (event) => 'removed' in event || ORDER[event.state] === 2,
    // Events from several instances may cross: never step back to an earlier state or offset.
    movesOn: (last, event) =>
      'removed' in event ||
      ('state' in last &&
        ORDER[event.state] >= ORDER[last.state] &&
        !(event.state === 'RECEIVING' && event.offset < last.offset)),
  });
}
