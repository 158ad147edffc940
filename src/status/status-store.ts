/**
 * What the gateway knows about each video, and which upload each callback token
 * belongs to. One interface, two implementations: in memory for one instance,
 * Redis for several. Every operation that changes a status is one atomic step,
 * so concurrent callbacks, polls and uploads cannot interleave into a wrong state.
 */
import { clientPartition, type Owner, type OwnerScope } from '../identity.js';
import type { VideoStatus } from '../mavi/types.js';
import type { StoredVideoEvent, VideoEventType } from './video-events.js';

/** The partition of a video stored before partitions were kept: the one its owner id implied then. */
export function storedPartition(partition: string | null | undefined, ownerId: string): string {
  return partition ?? clientPartition(ownerId);
}

export interface VideoRecord extends Owner {
  /** The app's own text for the video (up to 1 KiB): stored and shown, never sent to MAVI. */
  passthrough?: string;
  videoNo: string;
  videoName: string;
  status: VideoStatus;
  /** When MAVI registered the upload (epoch ms). */
  uploadTime: number;
  /** When the gateway last learned this status (epoch ms). */
  updatedAt: number;
}

/** What a video's subscribers hear when it was deleted: their subscription ends with VIDEO_DELETED. */
interface VideoRemoved {
  videoNo: string;
  removed: true;
}

/** Everything published on a video's topic. */
export type StatusEvent = StatusChange | VideoRemoved;

/** A status change to publish to subscribers. */
export interface StatusChange {
  videoNo: string;
  status: VideoStatus;
  /** When the gateway received it (epoch ms). */
  receivedAt: number;
}

export type CallbackOutcome =
  /** The token's upload is not known here (expired, failed, or never made). */
  | { kind: 'unknown-upload' }
  /** The token's upload got a different videoNo: a forged or misdirected callback. */
  | { kind: 'wrong-video'; expectedVideoNo: string }
  /** MAVI called back before its upload answer reached us; applied once it does. */
  | { kind: 'held' }
  | { kind: 'applied'; change: StatusChange | undefined };

export interface CompletedUpload {
  record: VideoRecord;
  /** The held early callback's change, when one was held and changed the status. */
  change: StatusChange | undefined;
  /** A held callback named another videoNo and was dropped. */
  discardedVideoNo: string | undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A video not updated for this long is forgotten. */
export const DEFAULT_MAX_AGE_MS = 7 * DAY_MS;

/** An upload MAVI never answered stops accepting callbacks after this long. */
export const OPEN_UPLOAD_TTL_MS = DAY_MS;

/** What every record is accounted beyond its strings: the row, its index entries, its upload binding. */
const RECORD_OVERHEAD_BYTES = 256;

/**
 * The bytes a record is accounted for in the stores' size bound (STORE_MAX_BYTES):
 * its strings' UTF-8 lengths, the upload binding's id, and a fixed overhead.
 */
export function storedBytes(record: VideoRecord): number {
  return (
    RECORD_OVERHEAD_BYTES +
    Buffer.byteLength(record.videoNo) * 2 + // the record and the upload binding both hold it
    Buffer.byteLength(record.videoName) +
    Buffer.byteLength(record.ownerId) +
    Buffer.byteLength(appDataText(record) ?? '') +
    Buffer.byteLength(record.partition)
  );
}

/**
 * What the app gave about a video, as the stores keep it in one text field (JSON): its owner's
 * names and its passthrough. Null when there is neither (a video uploaded before they were kept).
 */
export function appDataText(video: Pick<VideoRecord, 'names' | 'passthrough'>): string | null {
  if (video.names === undefined && video.passthrough === undefined) return null;
  return JSON.stringify({ names: video.names, passthrough: video.passthrough });
}

export function parseAppData(text: string | null | undefined): Pick<VideoRecord, 'names' | 'passthrough'> {
  if (!text) return {};
  const data = JSON.parse(text) as Pick<VideoRecord, 'names' | 'passthrough'>;
  return {
    ...(data.names ? { names: data.names } : {}),
    ...(typeof data.passthrough === 'string' ? { passthrough: data.passthrough } : {}),
  };
}

/** A place in a client's video list, which runs newest first: by uploadTime, then videoNo, both descending. */
export interface ListPosition {
  uploadTime: number;
  videoNo: string;
}

export interface VideoListQuery {
  owners: OwnerScope;
  /** Start after this place (a page's end); from the newest when absent. */
  after?: ListPosition;
  /** The most records to answer. */
  limit: number;
  status?: VideoStatus;
  /** Only videos whose name contains this, ignoring case. */
  nameContains?: string;
}

export interface VideoListPage {
  records: VideoRecord[];
  /** Where the next page starts; absent when the list is known to end here. */
  next?: ListPosition;
}

/** Whether a record passes a list query's filters (its owner aside). */
export function matchesFilters(record: VideoRecord, query: Pick<VideoListQuery, 'status' | 'nameContains'>): boolean {
  return (
    (query.status === undefined || record.status === query.status) &&
    (query.nameContains === undefined || foldName(record.videoName).includes(foldName(query.nameContains)))
  );
}

/**
 * A name as `nameContains` compares it, on every store: in Unicode lower case (É is é, not only
 * A is a), and in one normal form (an é typed on one system and stored by another as e + ´ match).
 */
export function foldName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

export interface StatusStore {
  /**
   * Registers an upload before MAVI is called, so that an early callback has somewhere to wait
   * (and, on a durable store, so that a callback after a crash can still bind it: see sqlite-status-store.ts).
   */
  openUpload(uploadId: string, owner: Owner, videoName: string, passthrough?: string): Promise<void>;
  /** Records MAVI's answer: the video record, the token binding, and any held early callback. */
  completeUpload(uploadId: string, record: VideoRecord): Promise<CompletedUpload>;
  /** Forgets an upload that failed, with anything held for it. */
  abandonUpload(uploadId: string): Promise<void>;
  /** Applies an authenticated callback for the upload its token names. */
  applyCallback(uploadId: string, videoNo: string, status: VideoStatus, receivedAt: number): Promise<CallbackOutcome>;
  /** Applies a status learned by polling; unknown videos are ignored. */
  applyStatus(videoNo: string, status: VideoStatus, receivedAt: number): Promise<StatusChange | undefined>;
  get(videoNo: string): Promise<VideoRecord | undefined>;
  /** Forgets a video and its upload binding (its callbacks then get 404); true when it was known. */
  remove(videoNo: string): Promise<boolean>;
  /** One owner's or one group's videos, newest first, filtered; see VideoListQuery. */
  listVideos(query: VideoListQuery): Promise<VideoListPage>;
  /** Videos not yet terminal, oldest update first, at most `limit`. */
  pending(limit: number): Promise<VideoRecord[]>;
  /**
   * Adds an event about a video that is not a status change (transcript.ready) to the log, from the
   * video's record as it stands; nothing when the video is unknown, or when an event with this id
   * is already in the log (so a repeated callback may add it again safely).
   */
  appendEvent(id: string, type: VideoEventType, videoNo: string, at: number): Promise<void>;
  /** The event log after `cursor` (from its oldest kept event when undefined), oldest first, at most `limit`. */
  eventsAfter(cursor: string | undefined, limit: number): Promise<StoredVideoEvent[]>;
  /** The cursor of the log's end: the newest event's, or the log's beginning while it is empty. */
  eventLogEnd(): Promise<string>;
  /** True when the store can serve (always, in memory; Redis reachable, for Redis). */
  isReady(): boolean;
  /** Releases what the store itself holds (timers, files); absent when it holds nothing. */
  close?(): Promise<void>;
}
