/**
 * The upstream, whichever MAVI API family is behind it (MAVI_API): one interface,
 * one implementation per family. Paths, field placement, envelopes, id shapes,
 * limits and how to learn a video's status all live in the family's module; the
 * rest of the gateway sees only this (connect.ts makes one).
 */
import type { Readable } from 'node:stream';
import type { Refusal } from '../errors.js';
import type { VideoContainer } from './containers.js';
import type { ImageFormat } from './image-types.js';
import type { MaviUploadedVideo, VideoStatus } from './types.js';

export type MaviFamily = 'original' | 'v1';

interface UploadInput {
  /** The file's bytes, read as MAVI takes them (a stream: see multipart-body.ts). */
  file: Readable;
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
  /** What the client told about the video, for a family that takes it (see refuseMetadata). */
  metadata?: UploadMetadata;
}

/** What a client may tell MAVI about a video when uploading it (the successor family takes it). */
export interface UploadMetadata {
  tags?: readonly string[];
  capturedAt?: Date;
  cameraModel?: string;
  location?: { latitude: number; longitude: number };
  /** Steers MAVI's description of what is seen. */
  transcriptionPrompt?: string;
}

interface UrlUploadInput {
  /** A public http(s) address MAVI fetches the video from. */
  url: string;
  callbackUrl: string | undefined;
  partition: string;
  metadata?: UploadMetadata;
}

/** What MAVI knows about a processed video beyond its status; absent fields are unknown to this family. */
export interface VideoDetails {
  durationSeconds?: number;
  sizeBytes?: number;
  width?: number;
  height?: number;
  framesPerSecond?: number;
}

/** A video a search found, best first; `score` where the family has one. */
export interface VideoHit {
  videoNo: string;
  score: number | undefined;
}

/** A moment in a video a search found. */
export interface ClipHit {
  videoNo: string;
  startSeconds: number;
  endSeconds: number;
  score: number | undefined;
}

interface ClipSearch {
  query: string;
  /** The videos to search; empty for all of the partition's (the original family: all of the account's). */
  videoNos: readonly string[];
  /** The most clips wanted. */
  limit: number;
  partition: string;
  /** Aborts the search at MAVI (the client left). */
  signal?: AbortSignal;
}

/** One piece of MAVI's streamed chat answer. */
export type ChatPiece =
  | { kind: 'thinking'; title: string; content: string }
  | {
      kind: 'reference';
      videoNo: string;
      startSeconds: number;
      endSeconds: number | undefined;
      text: string | undefined;
    }
  | { kind: 'text'; text: string }
  /** The successor's server-side session the answer belongs to. */
  | { kind: 'session'; maviSessionId: string };

/** One earlier question and answer of a conversation. */
export interface ChatTurn {
  user: string;
  assistant: string;
}

export interface ChatRequest {
  videoNos: readonly string[];
  message: string;
  partition: string;
  /** The conversation so far: the original family sends it as `history`... */
  history: readonly ChatTurn[];
  /** ...the successor keeps it at MAVI under this session. */
  maviSessionId: string | undefined;
  /** Aborts the upstream request (the client went away). */
  signal: AbortSignal;
}

export type TranscriptKind = 'SPEECH' | 'VISUAL';

export interface TranscriptSegment {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

/**
 * How a family produces transcripts: the successor has them ready once the video
 * is processed (a read); the original runs a task per transcript and calls back
 * when it is done.
 */
export type TranscriptSource =
  | {
      mode: 'read';
      /** The segments, or undefined while MAVI has none (not ready, or no audio track). */
      read(
        videoNo: string,
        kind: TranscriptKind,
        partition: string,
        signal?: AbortSignal,
      ): Promise<TranscriptSegment[] | undefined>;
    }
  | {
      mode: 'task';
      /** Starts a transcription task; MAVI calls `callbackUrl` when it ends. Answers MAVI's task number. */
      start(videoNo: string, kind: TranscriptKind, callbackUrl: string | undefined): Promise<string>;
      /** The task's segments, or undefined while it is not finished. */
      fetch(taskNo: string, signal?: AbortSignal): Promise<TranscriptSegment[] | undefined>;
    };

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
  /** Aborts the look-up at MAVI (the client left). */
  signal?: AbortSignal;
}

/** What a family can do, for the code outside mavi/ that must not name families. */
interface MaviCapabilities {
  /** Search covers the whole MAVI account, not the caller's partition: hits must be filtered to the caller's. */
  readonly searchesWholeAccount: boolean;
  /** Clips come with a score (so `minScore` can apply). */
  readonly clipScores: boolean;
  /** The largest file the family takes (MAX_UPLOAD_BYTES's default; the operator may set less). */
  readonly maxUploadBytes: number;
  /** The longest callback address the family takes, or undefined when it documents no limit. */
  readonly maxCallbackUrlChars: number | undefined;
}

/** A picture on its way to MAVI: its bytes (a stream read once, or bytes read already) and what it is. */
export interface ImageFile {
  bytes: Readable | Buffer;
  fileName: string;
  format: ImageFormat;
  /** The exact size, to send a Content-Length; a stream without one is sent chunked. */
  size?: number;
}

/** An image a search found, best first. */
export interface ImageHit {
  /** MAVI's id, exactly as MAVI wrote it (a JSON number above 2^53 stays exact). */
  imageId: string;
  score: number | undefined;
}

/** A moment in one video that matches a picture. */
export type ClipInVideo = Omit<ClipHit, 'videoNo'>;

/** The image library and picture queries, for a family that has them (the successor's §2.6, §2.12). */
export interface MaviImages {
  /** The largest picture MAVI takes, in bytes. */
  readonly maxImageBytes: number;
  /** Adds a picture to the partition's image library; answers MAVI's id for it. */
  upload(image: ImageFile, partition: string, signal?: AbortSignal): Promise<string>;
  /** Images of the partition's library that match a text query, best first. */
  searchByText(query: string, partition: string, limit: number, signal?: AbortSignal): Promise<ImageHit[]>;
  /** Images of the partition's library that look like the picture (at least `similarity`, 0 to 1). */
  searchSimilar(image: ImageFile, partition: string, similarity: number, signal?: AbortSignal): Promise<ImageHit[]>;
  /** The moments of one video that match the picture and the prompt, best first. */
  searchClips(image: ImageFile, videoNo: string, prompt: string, signal?: AbortSignal): Promise<ClipInVideo[]>;
}

/** What a live analysis is asked to do (the stream host's streamConnect, §2.15). */
export interface LiveStreamStart {
  streamUrl: string;
  prompt: string;
  systemPrompt: string | undefined;
  /** Where MAVI POSTs the results, about every 5 s. */
  callbackUrl: string;
}

/** Live-stream understanding, for a family whose key reaches the stream host (§2.15). */
export interface MaviLiveStreams {
  /** Starts analysing a stream; answers MAVI's task id. Refused with LIVE_CAPACITY_FULL when the key's streams are taken. */
  start(request: LiveStreamStart): Promise<string>;
  /** Stops it; a task already stopped counts as stopped. */
  stop(taskId: string): Promise<void>;
  close(): Promise<void>;
}

export interface MaviApi {
  readonly family: MaviFamily;
  readonly capabilities: MaviCapabilities;
  /** The image library and picture search; undefined when the family offers none. */
  readonly images: MaviImages | undefined;
  /** Live-stream understanding; undefined when the family offers none. */
  readonly liveStreams: MaviLiveStreams | undefined;
  /** Why this family cannot take the file (UNSUPPORTED_MEDIA_TYPE, naming what it takes), or undefined when it can. */
  refuseFile(fileName: string, container: VideoContainer): Refusal | undefined;
  /** Why this family cannot take the metadata (INVALID_INPUT), or undefined when it can. */
  refuseMetadata(metadata: UploadMetadata): Refusal | undefined;
  uploadVideo(input: UploadInput): Promise<MaviUploadedVideo>;
  /** Has MAVI fetch the video from a URL itself. */
  uploadVideoFromUrl(input: UrlUploadInput): Promise<MaviUploadedVideo>;
  /**
   * The current status of each video MAVI reports on, within `limits`. Statuses are in the gateway's terms (normalizeStatus); unknown
   * spellings are reported to `onUnknownStatus`.
   */
  lookUpStatuses(videos: readonly PendingVideo[], limits: LookUpLimits): Promise<Map<string, VideoStatus>>;
  /** What MAVI knows about each video it reports on (missing: unknown to MAVI), within `limits`. */
  lookUpDetails(videos: readonly PendingVideo[], limits: LookUpLimits): Promise<Map<string, VideoDetails>>;
  /** Videos matching a natural-language query, best first (the original family: of the whole account). */
  searchVideos(query: string, partition: string, limit: number, signal?: AbortSignal): Promise<VideoHit[]>;
  /** Moments matching a natural-language query, best first. */
  searchClips(search: ClipSearch): Promise<ClipHit[]>;
  /** MAVI's answer about the videos, piece by piece, read as the caller pulls; ends when MAVI is done. */
  chat(request: ChatRequest): AsyncIterable<ChatPiece>;
  readonly transcripts: TranscriptSource;
  /** Deletes videos of one partition; videos already gone count as deleted. */
  deleteVideos(videoNos: readonly string[], partition: string): Promise<void>;
  close(): Promise<void>;
}
