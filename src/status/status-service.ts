/**
 * The one way status changes happen: every change the store accepts is
 * published to subscribers in the same call, so no caller (upload, webhook,
 * poller) can store a change and forget to announce it, or announce one that
 * was not stored. Reads and the subscriber's feed go through here too.
 */
import { type Owner } from '../identity.js';
import { StoreUnavailableError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import { inSpan } from '../tracing/tracer.js';
import type { VideoStatus } from '../mavi/types.js';
import { statusFeed, type StatusFeed } from './status-feed.js';
import type { StoredVideoEvent, VideoEventType } from './video-events.js';
import { follow, type Feed } from '../events/follow.js';
import { EventLogChanges } from './event-log-feed.js';
import {
  type CallbackOutcome,
  type CompletedUpload,
  type StatusChange,
  type StatusEvent,
  type StatusStore,
  type VideoListPage,
  type VideoListQuery,
  type VideoRecord,
} from './status-store.js';

/** The topic prefix of status events (the README documents the channel names). */
export const STATUS_TOPIC = 'videoStatus:';

/** The topic that says the event log may have grown (`videoEvents` subscribers read it again). */
export const EVENT_LOG_TOPIC = 'videoEvents';
const LOG_GREW = 'log';

export class StatusService {
  constructor(
    private readonly store: StatusStore,
    private readonly events: EventBus<StatusEvent>,
    /** Signals that the event log may have grown; its events carry nothing (the log is the source). */
    readonly logSignals: EventBus<true>,
  ) {}

  /** Registers an upload before MAVI is called, so that an early callback has somewhere to wait. */
  openUpload(uploadId: string, owner: Owner, videoName: string, passthrough?: string): Promise<void> {
    return this.store.openUpload(uploadId, owner, videoName, passthrough);
  }

  /** Forgets an upload that failed, with anything held for it. */
  abandonUpload(uploadId: string): Promise<void> {
    return this.store.abandonUpload(uploadId);
  }

  /** Records MAVI's answer to an upload; a held early callback's change is published. */
  async completeUpload(uploadId: string, record: VideoRecord): Promise<CompletedUpload> {
    const completed = await inSpan('store completeUpload', {}, () => this.store.completeUpload(uploadId, record));
    this.announce(completed.change);
    this.logGrew();
    return completed;
  }

  /** Applies an authenticated callback for the upload its token names, and publishes its change. */
  async applyCallback(
    uploadId: string,
    videoNo: string,
    status: VideoStatus,
    receivedAt: number,
  ): Promise<CallbackOutcome> {
    const outcome = await inSpan('store applyCallback', { 'mavi.status': status }, () =>
      this.store.applyCallback(uploadId, videoNo, status, receivedAt),
    );
    if (outcome.kind === 'applied') {
      this.announce(outcome.change);
      this.logGrew();
    }
    return outcome;
  }

  /** Applies a status learned by polling, and publishes its change. */
  async applyStatus(videoNo: string, status: VideoStatus, receivedAt: number): Promise<StatusChange | undefined> {
    const change = await this.store.applyStatus(videoNo, status, receivedAt);
    this.announce(change);
    if (change) this.logGrew();
    return change;
  }

  /** Adds an event that is not a status change to the log, once per id (see StatusStore.appendEvent). */
  async appendEvent(id: string, type: VideoEventType, videoNo: string, at: number): Promise<void> {
    await this.store.appendEvent(id, type, videoNo, at);
    this.logGrew();
  }

  /**
   * The events of the log after `after` (from its end when undefined) that `visible` lets the
   * subscriber see, then each new one as it comes: never ending (the client ends it). The cursor
   * is fixed before it listens, and every read starts from the log: nothing written in between
   * is missed, whatever the signals' timing.
   */
  async followLog(
    after: string | undefined,
    visible: (event: StoredVideoEvent) => boolean,
  ): Promise<Feed<StoredVideoEvent>> {
    const cursor = after ?? (await this.store.eventLogEnd());
    const signals = this.logSignals.subscribe(LOG_GREW);
    try {
      await signals.ready.catch((error: unknown) => {
        throw new StoreUnavailableError('The event transport (Redis) is unavailable.', { cause: error });
      });
      return follow(new EventLogChanges(this.store, signals, cursor, visible), { isLast: () => false });
    } catch (error) {
      await signals.return();
      throw error;
    }
  }

  private logGrew(): void {
    this.logSignals.publish(LOG_GREW, true);
  }

  get(videoNo: string): Promise<VideoRecord | undefined> {
    return this.store.get(videoNo);
  }

  /** Forgets a video; its subscribers hear that it was deleted, and their feeds end. */
  async remove(videoNo: string): Promise<boolean> {
    const removed = await this.store.remove(videoNo);
    if (removed) {
      this.events.publish(videoNo, { videoNo, removed: true });
      this.logGrew();
    }
    return removed;
  }

  /** A client's videos, newest first (see VideoListQuery). */
  listVideos(query: VideoListQuery): Promise<VideoListPage> {
    return this.store.listVideos(query);
  }

  pending(limit: number): Promise<VideoRecord[]> {
    return this.store.pending(limit);
  }

  isReady(): boolean {
    return this.store.isReady();
  }

  /**
   * The video's status feed for a subscriber (see status-feed.ts), or undefined when
   * the video is unknown or `visible` says the caller may not see it. It listens
   * (and waits until the transport delivers) before it reads, so that a change
   * between the read and the listen is not lost.
   */
  async follow(videoNo: string, visible: (record: VideoRecord) => boolean): Promise<StatusFeed | undefined> {
    const changes = this.events.subscribe(videoNo);
    try {
      await changes.ready.catch((error: unknown) => {
        throw new StoreUnavailableError('The event transport (Redis) is unavailable.', { cause: error });
      });
      const record = await this.store.get(videoNo);
      if (record && visible(record)) return statusFeed(record, changes);
    } catch (error) {
      await changes.return();
      throw error;
    }
    await changes.return();
    return undefined;
  }

  /** Ends every open feed (shutdown): subscribers get "complete". */
  async endAll(): Promise<void> {
    await Promise.all([this.events.endAll(), this.logSignals.endAll()]);
  }

  private announce(change: StatusChange | undefined): void {
    if (change) this.events.publish(change.videoNo, change);
  }
}
