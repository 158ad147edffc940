/**
 * The one way a resumable upload's record changes, as status-service.ts is for videos: every
 * change the ledger accepts is published to the upload's followers in the same call, so no
 * caller (the tus endpoint, the sweep, the forwarding job) can store a change and forget to
 * announce it, or announce one that was not stored. Reads and followers' feeds go through here
 * too.
 */
import type { ErrorCode } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import { progressFeed, type ProgressEvent, type ProgressFeed, type UploadProgress } from './progress-feed.js';
import type { BrokenBound, StagedUpload, StagingBounds, StagingLedger } from './staged-upload.js';

export class StagingService {
  constructor(
    readonly ledger: StagingLedger,
    private readonly events: EventBus<ProgressEvent>,
    /** Hands an upload that failed for good to the app's webhooks (upload.failed); once per upload id. */
    private readonly announceFailure?: (upload: StagedUpload) => Promise<void>,
  ) {}

  /** Records a new upload unless it would break a bound (then nothing is recorded, and the bound is named). */
  admit(upload: StagedUpload, bounds: StagingBounds): Promise<BrokenBound | undefined> {
    return this.ledger.admit(upload, bounds);
  }

  get(id: string): Promise<StagedUpload | undefined> {
    return this.ledger.get(id);
  }

  /**
   * The upload is in use (a PATCH began, bytes arrived): its expiry becomes `expiresAt`, and, when
   * `offset` is known, followers hear it. Undefined when the upload is no longer receiving.
   */
  async receiving(id: string, expiresAt: (current: StagedUpload) => number, offset?: number) {
    const upload = await this.ledger.update(id, 'RECEIVING', (current) => ({
      ...current,
      expiresAt: expiresAt(current),
    }));
    if (upload && offset !== undefined) this.publish({ ...upload, offset });
    return upload;
  }

  /** The last byte is staged: the upload becomes a forwarding job, due now. */
  async queue(upload: StagedUpload, retryUntil: number): Promise<void> {
    await this.change({ ...upload, state: 'FORWARDING', dueAt: Date.now(), expiresAt: retryUntil });
  }

  /** A worker begins an attempt at the job it claimed (the ledger keeps its lease). */
  async startAttempt(attempt: StagedUpload): Promise<void> {
    const stored = await this.ledger.update(attempt.id, 'FORWARDING', () => attempt);
    if (stored) this.publish(stored);
  }

  /** Bytes of the attempt sent to MAVI so far; nothing is told of an upload that has moved on. */
  async forwarded(attempt: StagedUpload, bytesForwarded: number): Promise<void> {
    const stored = await this.ledger.update(attempt.id, 'FORWARDING', (current) => ({ ...current, bytesForwarded }));
    if (stored) this.publish(stored);
  }

  /** The job waits for its next attempt, at `dueAt`; the failure that made it wait is recorded. */
  async retryAt(job: StagedUpload, dueAt: number, code: ErrorCode, message: string): Promise<void> {
    await this.change({ ...job, errorCode: code, errorMessage: message, dueAt });
  }

  /** A job given back at stop: due again at once, here or on another instance. */
  async release(job: StagedUpload): Promise<void> {
    await this.ledger.put({ ...job, dueAt: 0 });
  }

  /**
   * A final outcome (REGISTERED or FAILED, kept until `keepUntil`): recorded, then `beforeTelling`
   * (the staged bytes removed), then told, so that once a follower sees it nothing is staged.
   * `offset` is what the follower is told was staged: the whole file, unless it expired unfinished.
   */
  async conclude(
    upload: StagedUpload,
    keepUntil: number,
    { beforeTelling, offset = upload.length }: { beforeTelling?: () => Promise<void>; offset?: number } = {},
  ): Promise<void> {
    const final: StagedUpload = { ...upload, dueAt: 0, expiresAt: keepUntil };
    // upload.failed is queued before the record is written, once per upload id: a crash between
    // the two leaves the upload as it was, and the same decision, made again after the restart
    // (the sweep expires it again; forwarding finds its retry time spent), queues nothing new.
    if (final.state === 'FAILED') await this.announceFailure?.(final);
    await this.ledger.put(final);
    await beforeTelling?.();
    this.publish(final, offset);
  }

  /** Deleted by its owner (tus termination): forgotten, and its followers' feeds end. */
  async remove(id: string): Promise<void> {
    await this.ledger.remove(id);
    this.events.publish(id, { id, removed: true });
  }

  /** The upload's state now, then each change, until it is final; undefined when `current` says it is not the owner's. */
  async follow(id: string, current: () => Promise<UploadProgress | undefined>): Promise<ProgressFeed | undefined> {
    const changes = this.events.subscribe(id);
    try {
      await changes.ready;
      const now = await current();
      if (now !== undefined) return progressFeed(now, changes);
    } catch (error) {
      await changes.return();
      throw error;
    }
    await changes.return();
    return undefined;
  }

  /** Stores a change within the upload's life (a transition, or a job's next due time) and tells its followers. */
  private async change(upload: StagedUpload): Promise<void> {
    await this.ledger.put(upload);
    this.publish(upload);
  }

  /** Followers hear the upload's state; `offset` defaults to the whole file, which is staged past RECEIVING. */
  private publish(upload: StagedUpload | UploadProgress, offset?: number): void {
    const staged = 'offset' in upload ? upload.offset : upload.length;
    this.events.publish(upload.id, { ...upload, offset: offset ?? staged });
  }
}
