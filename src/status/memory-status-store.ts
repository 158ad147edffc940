/**
 * The throwaway status store (STORE=memory): everything is lost with the process.
 * Bounded in bytes and age: past `maxBytes` (accounted per record, see storedBytes)
 * the least recently updated video goes first, and a video not updated for
 * `maxAgeMs` is forgotten. Each method runs to completion without awaiting,
 * which is what makes each one atomic here.
 */
import type { VideoStatus } from '../mavi/types.js';
import {
  isAfter,
  matchesFilters,
  DEFAULT_MAX_AGE_MS,
  OPEN_UPLOAD_TTL_MS,
  storedBytes,
  type CallbackOutcome,
  type CompletedUpload,
  type StatusChange,
  type StatusStore,
  type VideoRecord,
} from './status-store.js';
import { isTerminal, nextStatus } from './transitions.js';

export interface MemoryStatusStoreOptions {
  /** The accounted size past which the least recently updated videos are evicted. */
  maxBytes?: number;
  maxAgeMs?: number;
  /** How long an upload may stay unanswered before its token stops being accepted. */
  openUploadTtlMs?: number;
  now?: () => number;
}

interface UploadEntry {
  ownerId: string;
  openedAt: number;
  videoNo?: string;
  held?: { videoNo: string; status: VideoStatus; receivedAt: number };
}

/** A stored record as callers see it: the upload id stays inside the store. */
function visible({ uploadId: _uploadId, ...record }: VideoRecord & { uploadId: string }): VideoRecord {
  return record;
}
/** STORE_MAX_BYTES's default (config.ts states it for every store). */
const DEFAULT_MAX_BYTES = 128 * 1024 * 1024;

export function createMemoryStatusStore(options: MemoryStatusStoreOptions = {}): StatusStore {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const openUploadTtlMs = options.openUploadTtlMs ?? OPEN_UPLOAD_TTL_MS;
  const now = options.now ?? Date.now;

  const videos = new Map<string, VideoRecord & { uploadId: string }>();
  /** Each client's videoNos, for its list. */
  const byOwner = new Map<string, Set<string>>();
  const uploads = new Map<string, UploadEntry>();
  let bytes = 0;

  const isExpired = (record: VideoRecord) => now() - record.updatedAt > maxAgeMs;

  const forget = (videoNo: string) => {
    const record = videos.get(videoNo);
    if (!record) return;
    videos.delete(videoNo);
    bytes -= storedBytes(record);
    uploads.delete(record.uploadId);
    const owned = byOwner.get(record.ownerId);
    owned?.delete(videoNo);
    if (owned?.size === 0) byOwner.delete(record.ownerId);
  };

  const live = (videoNo: string) => {
    const record = videos.get(videoNo);
    if (record && isExpired(record)) {
      forget(videoNo);
      return undefined;
    }
    return record;
  };

  /** Re-inserts so that Map order stays "least recently updated first". */
  const save = (record: VideoRecord & { uploadId: string }) => {
    const previous = videos.get(record.videoNo);
    if (previous) bytes -= storedBytes(previous);
    videos.delete(record.videoNo);
    videos.set(record.videoNo, record);
    bytes += storedBytes(record);
    if (!byOwner.has(record.ownerId)) byOwner.set(record.ownerId, new Set());
    byOwner.get(record.ownerId)!.add(record.videoNo);
    while (bytes > maxBytes && videos.size > 0) forget(videos.keys().next().value!);
  };

  const apply = (videoNo: string, status: VideoStatus, receivedAt: number): StatusChange | undefined => {
    const record = live(videoNo);
    if (!record) return undefined;
    const next = nextStatus(record.status, status);
    if (next === undefined) return undefined;
    save({ ...record, status: next, updatedAt: receivedAt });
    return { videoNo, status: next, receivedAt };
  };

  const sweep = () => {
    for (const [videoNo, record] of videos) if (isExpired(record)) forget(videoNo);
    for (const [uploadId, entry] of uploads) {
      if (entry.videoNo === undefined && now() - entry.openedAt > openUploadTtlMs) uploads.delete(uploadId);
    }
  };
  const sweeper = setInterval(sweep, Math.min(60_000, maxAgeMs)).unref();

  return {
    async openUpload(uploadId, ownerId, _videoName) {
      uploads.set(uploadId, { ownerId, openedAt: now() });
    },

    async completeUpload(uploadId, record): Promise<CompletedUpload> {
      const entry = uploads.get(uploadId) ?? { ownerId: record.ownerId, openedAt: now() };
      const held = entry.held;
      uploads.set(uploadId, { ownerId: entry.ownerId, openedAt: entry.openedAt, videoNo: record.videoNo });
      save({ ...record, uploadId });

      if (!held) return { record, change: undefined, discardedVideoNo: undefined };
      if (held.videoNo !== record.videoNo) return { record, change: undefined, discardedVideoNo: held.videoNo };
      const change = apply(record.videoNo, held.status, held.receivedAt);
      return { record: videos.get(record.videoNo)!, change, discardedVideoNo: undefined };
    },

    async abandonUpload(uploadId) {
      if (uploads.get(uploadId)?.videoNo === undefined) uploads.delete(uploadId);
    },

    async applyCallback(uploadId, videoNo, status, receivedAt): Promise<CallbackOutcome> {
      const entry = uploads.get(uploadId);
      if (!entry) return { kind: 'unknown-upload' };
      if (entry.videoNo === undefined) {
        // Keep the most advanced status MAVI sent early: a terminal one must not be overwritten.
        if (!entry.held || (entry.held.videoNo === videoNo && nextStatus(entry.held.status, status) !== undefined)) {
          entry.held = { videoNo, status, receivedAt };
        }
        return { kind: 'held' };
      }
      if (entry.videoNo !== videoNo) return { kind: 'wrong-video', expectedVideoNo: entry.videoNo };
      return { kind: 'applied', change: apply(videoNo, status, receivedAt) };
    },

    async applyStatus(videoNo, status, receivedAt) {
      return apply(videoNo, status, receivedAt);
    },

    async get(videoNo) {
      const record = live(videoNo);
      return record && visible(record);
    },

    async remove(videoNo) {
      const known = live(videoNo) !== undefined;
      forget(videoNo);
      return known;
    },

    // Sorts the client's videos on each call: fine for the throwaway store (SQLite and Redis keep an index).
    async listVideos(query) {
      const matching: VideoRecord[] = [];
      for (const videoNo of byOwner.get(query.ownerId) ?? []) {
        const record = live(videoNo);
        if (record && isAfter(record, query.after) && matchesFilters(record, query)) matching.push(visible(record));
      }
      matching.sort(
        (a, b) => b.uploadTime - a.uploadTime || (a.videoNo < b.videoNo ? 1 : a.videoNo > b.videoNo ? -1 : 0),
      );
      const records = matching.slice(0, query.limit);
      const last = records.at(-1);
      return { records, next: matching.length > query.limit && last ? last : undefined };
    },

    async pending(limit) {
      const result: VideoRecord[] = [];
      for (const record of videos.values()) {
        if (result.length >= limit) break;
        if (!isTerminal(record.status) && !isExpired(record)) result.push(visible(record));
      }
      return result;
    },

    isReady: () => true,

    async close() {
      clearInterval(sweeper);
    },
  };
}
