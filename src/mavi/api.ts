/**
 * The upstream, whichever MAVI API family is behind it (MAVI_API): one interface,
 * one implementation per family. Paths, field placement, envelopes, id shapes,
 * limits and how to learn a video's status all live in the family's module; the
 * rest of the gateway sees only this (connect.ts makes one).
 */
import type { VideoContainer } from './containers.js';
import type { MaviUploadedVideo, VideoStatus } from './types.js';

export type MaviFamily = 'original' | 'v1';

export interface UploadInput {
  /** The file's bytes, read as MAVI takes them. */
  file: AsyncIterable<Uint8Array>;
  fileName: string;
  /** The container sniffed from the file's first bytes. */
  container: VideoContainer;
  /** The content type the client declared (the original family passes it on). */
  declaredContentType: string;
  /** The file's exact size, to send a Content-Length instead of a chunked body; a wrong size aborts the request. */
  fileSize?: number;
  /** Where MAVI POSTs status changes; omitted when MAVI cannot reach the gateway. */
  callbackUrl: string | undefined;
  /** The client's partition at MAVI (the successor's `unique_id`). */
  partition: string;
}

/** A video whose final status the gateway is still waiting for. */
export interface PendingVideo {
  videoNo: string;
  /** When MAVI registered it (epoch ms). */
  uploadTime: number;
  partition: string;
}

export interface LookUpLimits {
  /** The most requests one look-up may make. */
  maxRequests: number;
  /** Page size, for a family that pages (the original family's searchDB). */
  pageSize?: number;
}

export interface MaviApi {
  readonly family: MaviFamily;
  /** Why this family cannot take the file (a sentence naming what it takes), or undefined when it can. */
  refuseFile(fileName: string, container: VideoContainer): string | undefined;
  uploadVideo(input: UploadInput): Promise<MaviUploadedVideo>;
  /**
   * The current status of each video MAVI reports on, within `limits`. Statuses are in the gateway's terms (normalizeStatus); unknown
   * spellings are reported to `onUnknownStatus`.
   */
  lookUpStatuses(videos: readonly PendingVideo[], limits: LookUpLimits): Promise<Map<string, VideoStatus>>;
  /** Deletes videos of one partition; videos already gone count as deleted. */
  deleteVideos(videoNos: readonly string[], partition: string): Promise<void>;
  close(): Promise<void>;
}
