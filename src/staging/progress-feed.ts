/**
 * What a `resumableUploadProgress` subscriber sees: the upload's state now,
 * then each change (bytes received, forwarding progress, retries), and the end
 * right after REGISTERED or FAILED, or once the upload is deleted. Like the
 * video status feed (status/status-feed.ts), an iterator object whose
 * `return()` lets go of its bus listener at once, whenever it is called.
 */
import type { StagedUpload, StagedUploadState } from './staged-upload.js';

/** An upload's record and the bytes staged so far. */
export interface UploadProgress extends StagedUpload {
  /** Bytes received and staged (tus's Upload-Offset); the whole length once received. */
  offset: number;
}

/** Published on an upload's topic: its new state, or that it was deleted (tus termination). */
export type ProgressEvent = UploadProgress | { id: string; removed: true };

interface ChangeSource {
  next(): Promise<IteratorResult<ProgressEvent>>;
  return(): Promise<unknown>;
}

const ORDER: Record<StagedUploadState, number> = { RECEIVING: 0, FORWARDING: 1, REGISTERED: 2, FAILED: 2 };
const DONE: IteratorResult<ProgressEvent> = { done: true, value: undefined };

function isFinal(state: StagedUploadState): boolean {
  return ORDER[state] === 2;
}

export class ProgressFeed implements AsyncIterableIterator<ProgressEvent> {
  private last: UploadProgress | undefined;
  private ended = false;

  constructor(
    private readonly current: UploadProgress,
    private readonly changes: ChangeSource,
  ) {}

  async next(): Promise<IteratorResult<ProgressEvent>> {
    if (this.ended) return DONE;
    if (this.last === undefined) {
      this.last = this.current;
      return { done: false, value: this.current };
    }
    while (!isFinal(this.last.state)) {
      const next = await this.changes.next();
      if (next.done || this.ended) break;
      const event = next.value;
      if ('removed' in event) {
        await this.return();
        return { done: false, value: event };
      }
      // Events from several instances may cross: never step back to an earlier state or offset.
      if (ORDER[event.state] < ORDER[this.last.state]) continue;
      if (event.state === 'RECEIVING' && event.offset < this.last.offset) continue;
      this.last = event;
      return { done: false, value: event };
    }
    return this.return();
  }

  async return(): Promise<IteratorResult<ProgressEvent>> {
    if (!this.ended) {
      this.ended = true;
      await this.changes.return();
    }
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<ProgressEvent>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
